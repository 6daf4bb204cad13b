"""Command-line flags built from the config: every key of _C gets ``--key-name``."""

import argparse
import inspect
import re
import sys
from code.config import default_config

from easydict import EasyDict


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, ``error: ...``, and exit status 2."""

    def error(self, message: str):
        print(f"error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def flag_name(key: str) -> str:
    return "--" + key.replace("_", "-")


def key_comments() -> dict:
    """{key: comment} from the lines ``_C.key = value  # comment`` of default_config.py."""
    source = inspect.getsource(default_config)
    return dict(re.findall(r"^_C\.(\w+)\s*=.*?#\s*(.*)$", source, flags=re.MULTILINE))


def build_parser(defaults: EasyDict) -> argparse.ArgumentParser:
    """One flag per key of ``defaults``, typed by its default value, helped by its comment."""
    comments = key_comments()
    parser = OneLineParser(description="Train the article's network (HJLNet) and plot the fit.",
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter, allow_abbrev=False)
    for key, value in defaults.items():
        if isinstance(value, bool):
            parser.add_argument(flag_name(key), dest=key, default=value,
                                action=argparse.BooleanOptionalAction, help=comments.get(key, key))
        elif isinstance(value, (list, tuple)):
            item_type = type(value[0]) if value else int
            parser.add_argument(flag_name(key), dest=key, default=value, nargs="*",
                                type=item_type, metavar=key.upper(), help=comments.get(key, key))
        else:
            parser.add_argument(flag_name(key), dest=key, default=value, type=type(value),
                                metavar=key.upper(), help=comments.get(key, key))
    parser.add_argument("--check-gradients", action="store_true",
                        help="compare backward() with finite differences on the configured net, then exit")
    return parser


def config_from_args(defaults: EasyDict, argv: list) -> tuple:
    """(config, check_gradients): a copy of ``defaults`` with the flags in ``argv`` applied."""
    args = vars(build_parser(defaults).parse_args(argv))
    check_gradients = args.pop("check_gradients")
    return EasyDict(args), check_gradients
