"""Check a config before any work, so a bad value is one clear line, not a traceback."""

import math
import numbers
import os
from code.config.default_config import _C
from code.lib.Activation import ACTIVATIONS
from code.lib.Module.Linear import INITS

PATH_KEYS = ("ckpt_path", "result_img_path", "loss_img_path", "progress_img_path")


class ConfigError(ValueError):
    """A config value that cannot be used; the message names the key and the value."""


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _require(ok: bool, key: str, value, wanted: str) -> None:
    if not ok:
        raise ConfigError(f"{key} must be {wanted}, got {value!r}")


def _int_list(value) -> bool:
    return isinstance(value, (list, tuple)) and all(_is_int(v) and v > 0 for v in value)


def validate(cfg, in_features: int = 1, out_features: int = 1) -> None:
    """Raise ConfigError for the first bad value of ``cfg`` (an EasyDict with _C's keys)."""
    missing = [key for key in _C if key not in cfg]
    if missing:
        raise ConfigError(f"config lacks the key(s) {', '.join(missing)}")
    dims = cfg.layers_dim
    _require(_int_list(dims) and len(dims) >= 2, "layers_dim", dims,
             "a list of at least two positive integers")
    _require(dims[0] == in_features and dims[-1] == out_features, "layers_dim", list(dims),
             f"[{in_features}, ..., {out_features}] to match the data (first = inputs, last = outputs)")
    _require(cfg.activation in ACTIVATIONS, "activation", cfg.activation, f"one of {', '.join(ACTIVATIONS)}")
    _require(cfg.init in INITS, "init", cfg.init, f"one of {', '.join(INITS)}")
    for key in ("batch_size", "log_every", "ckpt_every"):
        _require(_is_int(cfg[key]) and cfg[key] > 0, key, cfg[key], "a positive integer")
    _require(_is_int(cfg.total_epochs) and cfg.total_epochs >= 0, "total_epochs", cfg.total_epochs,
             "a non-negative integer")
    lr = cfg.learning_rate
    _require(isinstance(lr, numbers.Real) and not isinstance(lr, bool) and math.isfinite(lr) and lr > 0,
             "learning_rate", lr, "a finite number above 0")
    _require(_is_int(cfg.seed) and 0 <= cfg.seed < 2**32, "seed", cfg.seed, "an integer from 0 to 2**32 - 1")
    _require(_int_list(cfg.progress_epochs), "progress_epochs", cfg.progress_epochs,
             "a list of positive integers (epochs), possibly empty")
    for key in ("resume", "show"):
        _require(isinstance(cfg[key], bool), key, cfg[key], "True or False")
    for key in PATH_KEYS:
        check_output_path(key, cfg[key])


def check_output_path(key: str, path) -> None:
    """Raise ConfigError unless ``path`` can be written: a file, in a folder that exists
    and is writable or that can be created (its nearest existing ancestor is a writable folder)."""
    _require(isinstance(path, str) and path.strip() != "", key, path, "a file path")
    if os.path.isdir(path):
        raise ConfigError(f"{key} {path!r} is a folder; give a file path")
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(folder):                         # the nearest existing ancestor
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise ConfigError(f"{key} {path!r} cannot be written: {folder!r} is a file, not a folder")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"{key} {path!r} cannot be written: folder {folder!r} is not writable")
