"""The config file and the command-line flags: every key of _C gets ``--key-name``.

read_defaults() loads code/config/default_config.py so that any mistake in it is
one line naming the file and the line; the help of each flag is the comment
beside its key in that file, read with Python's tokenize.
"""

import argparse
import contextlib
import difflib
import importlib.util
import io
import os
import sys
import tokenize
import traceback

from easydict import EasyDict

from code.config.validate import DEFINES_RUN, KINDS, ConfigError, as_python, check_kind

DEFAULT_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "default_config.py")


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, ``error: ...``, and exit status 2."""

    def error(self, message: str):
        print(f"error: {message}{self.did_you_mean(message)} (see --help)", file=sys.stderr)
        sys.exit(2)

    def did_you_mean(self, message: str) -> str:
        """"; did you mean --total-epochs?" for a mistyped flag in argparse's message."""
        if not message.startswith("unrecognized arguments:"):
            return ""
        flags = [option for action in self._actions for option in action.option_strings]
        for word in message.split(":", 1)[1].split():
            close = difflib.get_close_matches(word.split("=")[0], flags, n=2, cutoff=0.6)
            if word.startswith("--") and close:
                return f"; did you mean {' or '.join(close)}?"
        return ""


def flag_name(key: str) -> str:
    return "--" + key.replace("_", "-")


def key_lines(source: str) -> dict:
    """{key: (line, comment)} for every statement ``_C.key = value  # comment`` of ``source``.

    The comment is the first one inside the statement (a value may span lines);
    a '#' inside a string is part of the string, not a comment.
    """
    found, statement = {}, []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                _record(statement, found)
                statement = []
            elif token.type == tokenize.COMMENT and not statement:
                continue                            # a comment line of its own: part of no statement
            elif token.type not in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
                statement.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass                                        # the import reports the syntax error itself
    return found


def _record(statement: list, found: dict) -> None:
    words = [t.string for t in statement[:4]]
    if len(words) == 4 and words[0] == "_C" and words[1] == "." and words[3] == "=":
        comments = [t.string.lstrip("#").strip() for t in statement if t.type == tokenize.COMMENT]
        found[words[2]] = (statement[0].start[0], comments[0] if comments else "")


def _where(path: str, line=None) -> str:
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    return f"{shown} line {line}" if line else shown


def _run_config_file(path: str):
    """Execute the config file; ConfigError naming its line for any exception in it.
    Without the .py source (an install of compiled files only), the module Python finds instead."""
    spec = (importlib.util.spec_from_file_location("_default_config", path) if os.path.isfile(path)
            else importlib.util.find_spec("code.config.default_config"))
    if spec is None:
        raise ConfigError(f"config file {path} is missing")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise ConfigError(f"{_where(path, error.lineno)}: {error.msg}") from None
    except (Exception, SystemExit) as error:  # noqa: BLE001 -- anything it raises, sys.exit() too
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
        line = frames[-1].lineno if frames else None
        raise ConfigError(f"{_where(path, line)}: {type(error).__name__}: {error}") from None
    return module


def read_defaults(path: str | None = None) -> tuple:
    """(defaults, help): the file's ``_C`` (default_config.py when ``path`` is None) checked against
    KINDS, its numbers as Python's int and float, and {key: comment}."""
    path = DEFAULT_CONFIG if path is None else path
    lines = {}
    if os.path.isfile(path):                        # no source, no comments: each flag's help is its key
        with open(path, encoding="utf-8") as f:
            lines = key_lines(f.read())
    defaults = getattr(_run_config_file(path), "_C", None)
    if not isinstance(defaults, dict):
        raise ConfigError(f"{_where(path)}: it must define _C = EasyDict() with the settings")
    for key in defaults:
        if key not in KINDS:
            close = difflib.get_close_matches(key, KINDS, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise ConfigError(f"{_where(path, lines.get(key, (None,))[0])}: unknown key {key}{hint}")
    missing = [key for key in KINDS if key not in defaults]
    if missing:
        raise ConfigError(f"{_where(path)}: the key(s) {', '.join(missing)} are missing")
    for key, value in defaults.items():
        try:
            check_kind(key, value)
        except ConfigError as error:
            raise ConfigError(f"{_where(path, lines.get(key, (None,))[0])}: {error}") from None
    defaults = {key: as_python(KINDS[key], value) for key, value in defaults.items()}
    return EasyDict(defaults), {key: comment for key, (_, comment) in lines.items()}


FLAG_TYPES = {"int": int, "float": float, "text": str, "path": str, "ints": int, "floats": float}


def sections(path: str | None = None) -> dict:
    """{key: its section}: the comment line above each group of keys in the config file ("the
    network", "training", ...), so that --help groups the flags as the file does."""
    found, title = {}, "settings"
    with contextlib.suppress(OSError), open(DEFAULT_CONFIG if path is None else path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# "):
                title = line[2:].strip()
            elif line.startswith("_C.") and "=" in line:
                found[line[3:].split("=")[0].strip()] = title
    return found


def build_parser(defaults: EasyDict, help_of: dict) -> argparse.ArgumentParser:
    """One flag per key of KINDS, typed by its kind, helped by its comment in the config file, in
    the file's sections; then the lessons and tools that are not settings."""
    parser = OneLineParser(description="Train the article's network (HJLNet) and plot the fit. Every key of "
                                       "code/config/default_config.py is a flag; the flags are grouped as that file is. "
                                       "[run] marks the keys that define a run: change one and it is a run of its own, "
                                       "in a folder of its own (--warm-start goes on from the weights instead).",
                           usage="python demo.py [FLAG ...]",
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter, allow_abbrev=False)
    section_of, groups = sections(), {}
    for key, kind in KINDS.items():
        title = section_of.get(key, "settings")
        group = groups.get(title) or groups.setdefault(title, parser.add_argument_group(title))
        mark = "[run] " if key in DEFINES_RUN else ""
        options = {"dest": key, "default": defaults[key], "help": mark + (help_of.get(key) or key)}
        if kind == "bool":
            group.add_argument(flag_name(key), action=argparse.BooleanOptionalAction, **options)
        else:
            nargs = "*" if kind in ("ints", "floats") else None
            group.add_argument(flag_name(key), type=FLAG_TYPES[kind], nargs=nargs, metavar=key.upper(), **options)
    add_lessons(parser.add_argument_group("lessons and tools (each does its one thing, then exits)"))
    return parser


def add_lessons(parser) -> None:
    """The flags that are not settings: --explain, --compare, --check-gradients, --import-original."""
    parser.add_argument("--check-gradients", action="store_true",
                        help="compare backward() with finite differences on the configured net, then exit")
    parser.add_argument("--import-original", metavar="PATH", default=None,
                        help="convert the original program's pickled ckpt.npy at PATH into a checkpoint of ours "
                             "at --ckpt-path (never running code from it), then exit")
    parser.add_argument("--compare", metavar="KEY=V1,V2", default=None,
                        help="train one run per value of one key, side by side (e.g. optimizer=sgd,adam; "
                             "lists as layers_dim=1-25-1,1-30-10-1), print a table and draw compare_img_path; "
                             "the checkpoint is not touched")
    parser.add_argument("--explain", action="store_true",
                        help="print one training step with every number (forward, loss, backward, update) and "
                             "check each gradient entry; trains and writes nothing")
    parser.add_argument("--explain-samples", metavar="N", type=int, default=3,
                        help="how many of the first data points --explain uses")


ACTIONS = ("check_gradients", "import_original", "compare", "explain", "explain_samples")


def config_from_args(argv: list) -> tuple:
    """(config, actions): the config file's defaults with the flags in ``argv`` applied, and
    {action: value} of the flags that are not config keys (--check-gradients, ...).

    ConfigError for a mistake in the config file; a bad flag exits 2 (argparse).
    """
    defaults, help_of = read_defaults()
    args = vars(build_parser(defaults, help_of).parse_args(argv))
    actions = {name: args.pop(name) for name in ACTIONS}
    return EasyDict(args), actions
