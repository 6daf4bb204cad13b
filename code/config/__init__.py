"""The settings: default_config.py (the defaults, edited as the article says), the flags, the checks.

From Python, take a copy of the defaults to change with ``new_config`` (``_C.copy()`` gives a plain
dict, on which ``cfg.key = value`` fails):

    from code.config import new_config
    cfg = new_config(total_epochs=2000, learning_rate=0.1)     # an EasyDict; _C is left as it is
"""

import copy
import difflib

from easydict import EasyDict


def new_config(**changes) -> EasyDict:
    """A deep copy of default_config.py's ``_C`` with ``changes`` set; ConfigError for a key that is not
    a setting, naming the nearest ones.  The values are checked when a Trainer is built."""
    from code.config.default_config import _C
    from code.config.validate import ConfigError
    cfg = EasyDict(copy.deepcopy(dict(_C)))
    for key, value in changes.items():
        if key not in cfg:
            close = difflib.get_close_matches(key, list(cfg), n=2)
            raise ConfigError(f"{key} is not a setting" + (f"; did you mean {' or '.join(close)}?" if close else ""))
        cfg[key] = value
    return cfg
