"""Check a config before any work, so a bad value is one clear line, not a traceback.

KINDS fixes the kind of every key (not the literal default_config.py happens to
hold): the flags take their types from it and the config file is checked against it.
"""

import copy
import math
import numbers
import os
import shutil

from code.lib.Activation import ACTIVATIONS
from code.lib.Data.prepare import IMAGES
from code.lib.Data.toy2d import DATASETS
from code.lib.Loss import LOSSES
from code.lib.Module.Linear import INITS
from code.lib.Optim import OPTIMIZERS
from code.run.names import quoted

KINDS = {
    "layers_dim": "ints", "activation": "text", "init": "text", "output_activation": "text",
    "batch_size": "int", "total_epochs": "int", "learning_rate": "float",
    "optimizer": "text", "momentum": "float", "betas": "floats", "eps": "float", "shuffle": "bool",
    "seed": "int", "weight_decay": "float", "log_every": "int", "quiet": "bool", "progress": "bool",
    "loss": "text", "dataset": "text", "classes": "int", "n_points": "int", "data_path": "text", "noise": "float", "val_fraction": "float",
    "train_images": "int",
    "out": "text", "resume": "bool", "warm_start": "bool", "ckpt_path": "path", "ckpt_every": "int", "metrics_path": "path",
    "result_img_path": "path", "loss_img_path": "path", "progress_img_path": "path",
    "progress_epochs": "ints", "hidden_img_path": "path", "gradients_img_path": "path", "net_img_path": "path",
    "animation_path": "text", "animation_frames": "int", "compare_img_path": "path", "show": "bool", "live": "bool",
}
# The keys that define a run: a change to any of them changes its numbers, so it is a run of its own (its
# own folder, its own initial weights; see code/run/folders.py).  Every other key only says how long,
# how loudly or where: total_epochs, log_every, the paths, the figures, ...
OUTPUT_ACTIVATIONS = ("none", "sigmoid")   # the last layer: linear (the article's) or a sigmoid (Nielsen's)
DEFINES_RUN = ("layers_dim", "activation", "init", "output_activation", "seed", "loss", "dataset", "classes",
               "n_points", "data_path", "noise", "val_fraction", "train_images", "optimizer", "learning_rate", "momentum", "betas", "eps", "weight_decay",
               "batch_size", "shuffle")
PATH_KEYS = tuple(key for key, kind in KINDS.items() if kind == "path")
FIGURE_KEYS = tuple(key for key in PATH_KEYS if key.endswith("img_path"))


# Stated limits, checked before anything is allocated: a net of 50 million parameters takes 400 MB
# (and as much again for its gradients); counts stay exact in float64 and within the checkpoint's int64.
MAX_LAYERS, MAX_UNITS, MAX_PARAMETERS = 100, 100_000, 50_000_000
MAX_COUNT = 2**53
MAX_FRAMES = 1000
MAX_POINTS = 10_000_000
MAX_PROGRESS_EPOCHS = 100          # entries of progress_epochs: the figure draws each as a curve
SNAPSHOT_VALUES = 2**25            # parameters x snapshot epochs kept in memory and the checkpoint: 256 MiB
MAX_SCALE = 1e100                  # noise and weight_decay: their squares stay far from overflowing

COMMAND_LINE = {"on": False}          # set by flags.config_from_args: advice names flags, else cfg keys


def option(key: str, value=None) -> str:
    """How a learner sets ``key``: "--ckpt-path" / "--no-resume" on the command line, "cfg.ckpt_path" /
    "cfg.resume = False" from Python."""
    if COMMAND_LINE["on"]:
        name = key.replace("_", "-")
        if isinstance(value, bool):
            return f"--{name}" if value else f"--no-{name}"
        return f"--{name}" + ("" if value is None else f" {value}")
    return f"cfg.{key}" + ("" if value is None else f" = {value!r}")


class ConfigError(ValueError):
    """A config value that cannot be used; the message names the key and the value."""


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _require(ok: bool, key: str, value, wanted: str) -> None:
    if not ok:
        raise ConfigError(f"{key} must be {wanted}, got {value!r}")


KIND_CHECKS = {                                   # kind -> (test, what the message asks for)
    "int": (_is_int, "an integer"),
    "float": (_is_real, "a number"),
    "bool": (lambda v: isinstance(v, bool), "True or False"),
    "text": (lambda v: isinstance(v, str), "a string"),
    "path": (lambda v: isinstance(v, str), "a file path (a string)"),
    "ints": (lambda v: isinstance(v, (list, tuple)) and all(_is_int(x) for x in v), "a list of integers"),
    "floats": (lambda v: isinstance(v, (list, tuple)) and all(_is_real(x) for x in v), "a list of numbers"),
}


def check_kind(key: str, value) -> None:
    """ConfigError unless ``value`` is of the kind KINDS gives ``key``."""
    test, wanted = KIND_CHECKS[KINDS[key]]
    _require(test(value), key, value, wanted)


def as_python(kind: str, value):
    """A checked value of ``kind`` as Python's own int, float or list of them (a Fraction, a NumPy
    scalar or a tuple taken as its value): what NumPy and the checkpoint are given."""
    if kind in ("int", "float"):
        return int(value) if kind == "int" else float(value)
    if kind in ("ints", "floats"):
        return [int(v) if kind == "ints" else float(v) for v in value]
    return value


def _positive_ints(value) -> bool:
    return isinstance(value, (list, tuple)) and all(_is_int(v) and v > 0 for v in value)


def validate(cfg) -> None:
    """Raise ConfigError for the first bad value of ``cfg`` (an EasyDict with the keys of KINDS).
    Whether layers_dim fits the data is checked once the data is read (lib/Data/prepare.py)."""
    missing = [key for key in KINDS if key not in cfg]
    if missing:
        raise ConfigError(f"config lacks the key(s) {', '.join(missing)}")
    for key in KINDS:
        check_kind(key, cfg[key])
        cfg[key] = as_python(KINDS[key], cfg[key])
    dims = cfg.layers_dim
    _require(_positive_ints(dims) and len(dims) >= 2, "layers_dim", dims, "a list of at least two positive integers")
    _require(len(dims) <= MAX_LAYERS and max(dims) <= MAX_UNITS, "layers_dim", dims,
             f"at most {MAX_LAYERS} sizes of at most {MAX_UNITS:,} units")
    parameters = sum((dims[i] + 1) * dims[i + 1] for i in range(len(dims) - 1))
    _require(parameters <= MAX_PARAMETERS, "layers_dim", dims,
             f"a net of at most {MAX_PARAMETERS:,} parameters (this one has {parameters:,})")
    _require(cfg.activation in ACTIVATIONS, "activation", cfg.activation, f"one of {', '.join(ACTIVATIONS)}")
    _require(cfg.init in INITS, "init", cfg.init, f"one of {', '.join(INITS)}")
    _require(cfg.output_activation in OUTPUT_ACTIVATIONS, "output_activation", cfg.output_activation,
             f"one of {', '.join(OUTPUT_ACTIVATIONS)}")
    for key in ("batch_size", "log_every", "ckpt_every"):
        _require(0 < cfg[key] <= MAX_COUNT, key, cfg[key], "a positive integer up to 2**53")
    _require(0 <= cfg.total_epochs <= MAX_COUNT, "total_epochs", cfg.total_epochs, "an integer from 0 to 2**53")
    lr = cfg.learning_rate
    _require(math.isfinite(lr) and lr > 0, "learning_rate", lr, "a finite number above 0")
    _require(cfg.optimizer in OPTIMIZERS, "optimizer", cfg.optimizer, f"one of {', '.join(OPTIMIZERS)}")
    _require(math.isfinite(cfg.momentum) and 0 <= cfg.momentum < 1, "momentum", cfg.momentum,
             "a number from 0 up to (not including) 1")
    _require(len(cfg.betas) == 2 and all(math.isfinite(b) and 0 <= b < 1 for b in cfg.betas), "betas",
             cfg.betas, "two numbers from 0 up to (not including) 1")
    _require(math.isfinite(cfg.eps) and cfg.eps > 0, "eps", cfg.eps, "a finite number above 0")
    _require(math.isfinite(cfg.noise) and 0 <= cfg.noise <= MAX_SCALE, "noise", cfg.noise,
             f"a number from 0 to {MAX_SCALE:g} (a standard deviation; beyond, the loss overflows)")
    _require(math.isfinite(cfg.weight_decay) and 0 <= cfg.weight_decay <= MAX_SCALE, "weight_decay",
             cfg.weight_decay, f"a number from 0 to {MAX_SCALE:g} (beyond, Adam's squared gradient overflows)")
    check_decay(cfg)
    check_task(cfg)
    _require(0 <= cfg.val_fraction < 1, "val_fraction", cfg.val_fraction, "a fraction from 0 up to (not including) 1")
    _require(0 <= cfg.seed < 2**32, "seed", cfg.seed, "an integer from 0 to 2**32 - 1")
    _require(_positive_ints(cfg.progress_epochs) and len(cfg.progress_epochs) <= MAX_PROGRESS_EPOCHS
             and all(e <= MAX_COUNT for e in cfg.progress_epochs), "progress_epochs", _brief(cfg.progress_epochs),
             f"a list of at most {MAX_PROGRESS_EPOCHS} positive integers (epochs) up to 2**53, possibly empty")
    _require(1 <= cfg.animation_frames <= MAX_FRAMES, "animation_frames", cfg.animation_frames,
             f"an integer from 1 to {MAX_FRAMES}")
    if cfg.animation_path:                                     # "" turns the animation off
        check_output_path("animation_path", cfg.animation_path)
        _require(os.path.splitext(cfg.animation_path)[1].lower() in ("", ".gif"), "animation_path",
                 cfg.animation_path, 'a .gif file, or "" for none')
    check_snapshots(cfg, parameters)
    for key in PATH_KEYS:
        if cfg[key] or key not in FIGURE_KEYS:                 # "" turns a figure off
            check_output_path(key, cfg[key])
    for key in FIGURE_KEYS:
        check_figure_format(key, cfg[key])


def _brief(values) -> str:
    """A list as a message shows it: its first five values and how many there are."""
    if not isinstance(values, (list, tuple)) or len(values) <= 5:
        return repr(values)
    return f"[{', '.join(map(repr, values[:5]))}, ...] ({len(values):,} values)"


def check_snapshots(cfg, parameters: int) -> None:
    """ConfigError when the snapshots a run keeps (a copy of every parameter at each epoch of
    progress_epochs and of the animation's grid, up to total_epochs) exceed SNAPSHOT_VALUES."""
    from code.run.snapshots import snapshot_epochs
    epochs = [e for e in snapshot_epochs(cfg) if e <= cfg.total_epochs]
    if len(epochs) * parameters > SNAPSHOT_VALUES:
        frames = len(epochs) - len([e for e in set(cfg.progress_epochs) if e <= cfg.total_epochs])
        raise ConfigError(f"layers_dim {list(cfg.layers_dim)} with total_epochs {cfg.total_epochs}: {len(epochs)} "
                          f"snapshots ({frames} more for animation_path) of {parameters:,} parameters are "
                          f"{len(epochs) * parameters:,} values, beyond the budget of {SNAPSHOT_VALUES:,}; "
                          f"give animation_path \"\" or fewer progress_epochs, or a smaller net")


def check_decay(cfg) -> None:
    """ConfigError when SGD's weight decay alone makes the weights grow without end: each step multiplies
    them by 1 - learning_rate * weight_decay, and with momentum mu that diverges once the product
    reaches 2 (1 + mu)."""
    if cfg.optimizer != "sgd" or cfg.weight_decay == 0:
        return
    limit = 2 * (1 + cfg.momentum) / cfg.learning_rate
    if cfg.weight_decay >= limit:
        raise ConfigError(f"weight_decay {cfg.weight_decay} with learning_rate {cfg.learning_rate} and momentum "
                          f"{cfg.momentum}: SGD's steps would make the weights grow without end; give a "
                          f"weight_decay below 2 * (1 + momentum) / learning_rate = {limit:.6g}")


def check_task(cfg) -> None:
    """ConfigError unless the loss, the dataset, the classes and the points go together."""
    _require(cfg.loss in LOSSES, "loss", cfg.loss, f"one of {', '.join(LOSSES)}")
    _require(cfg.dataset in ("sine", *DATASETS, *IMAGES), "dataset", cfg.dataset,
             f"one of sine, {', '.join((*DATASETS, *IMAGES))}")
    _require(2 <= cfg.classes <= 20, "classes", cfg.classes, "an integer from 2 to 20")
    _require(1 <= cfg.n_points <= MAX_POINTS, "n_points", cfg.n_points, f"an integer from 1 to {MAX_POINTS:,}")
    if cfg.loss == "cross_entropy" and cfg.dataset == "sine" and not cfg.data_path:
        raise ConfigError("loss cross_entropy classifies: it needs labels, a 2-D dataset (--dataset spiral) or a CSV "
                          "file whose last column holds them (--data-path); the sine is a curve to fit with loss mse")
    if cfg.loss == "mse" and cfg.dataset in DATASETS:
        raise ConfigError(f"dataset {cfg.dataset} is a set to classify: it needs loss cross_entropy "
                          f"({option('loss', 'cross_entropy')}); the squared error of one-hot targets is for "
                          "the digits and mnist")
    if cfg.loss == "cross_entropy" and cfg.output_activation == "sigmoid" and cfg.dataset not in IMAGES:
        raise ConfigError(f"output_activation sigmoid with loss cross_entropy (a sigmoid for each output) is for "
                          f"the digits and mnist; dataset {cfg.dataset} classifies with the softmax: leave "
                          "output_activation at none")
    _require(0 <= cfg.train_images <= 60_000, "train_images", cfg.train_images, "an integer from 0 to 60,000")
    if cfg.train_images and cfg.dataset != "mnist":
        raise ConfigError(f"train_images {cfg.train_images} counts MNIST's training images: it needs dataset "
                          f"mnist, not {cfg.dataset}")
    if cfg.dataset in IMAGES and cfg.val_fraction:
        held = "355 test images" if cfg.dataset == "digits" else "10,000 test images (t10k)"
        raise ConfigError(f"dataset {cfg.dataset} holds out its own {held}: leave val_fraction at 0, "
                          f"not {cfg.val_fraction}")
    if cfg.dataset == "mnist" and not cfg.data_path:
        raise ConfigError("dataset mnist needs data_path: the folder of the four IDX files (--data-path DIR)")
    if cfg.dataset not in ("sine", "mnist") and cfg.data_path:
        raise ConfigError(f"dataset {cfg.dataset} and data_path {quoted(cfg.data_path)}: give one of them")


def check_output_path(key: str, path) -> None:
    """Raise ConfigError unless ``path`` can be written: a regular file or nothing yet, in a folder
    that exists and is writable or that can be created (its nearest existing ancestor is writable)."""
    _require(isinstance(path, str) and path.strip() != "", key, path, "a file path")
    if os.path.isdir(path):
        raise ConfigError(f"{key} {quoted(path)} is a folder; give a file path")
    if os.path.exists(path) and not os.path.isfile(path):        # a FIFO, a device, a socket
        raise ConfigError(f"{key} {quoted(path)} exists and is not a regular file; give another path")
    if os.path.isfile(path) and not os.access(path, os.W_OK):   # the file itself, not only its folder
        raise ConfigError(f"{key} {quoted(path)} exists and cannot be written (read-only); give another path")
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(folder):                         # the nearest existing ancestor
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise ConfigError(f"{key} {quoted(path)} cannot be written: {quoted(folder)} is a file, not a folder")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"{key} {quoted(path)} cannot be written: folder {quoted(folder)} is not writable")


NO_TRANSPARENCY = ("eps", "ps")        # PostScript: the figures' shaded bands and faint lines drawn opaque


def check_figure_format(key: str, path: str) -> None:
    """ConfigError unless the extension of ``path`` (none: PNG) is a format matplotlib writes here,
    whole: PostScript loses the figures' transparency, PGF needs a TeX program on PATH."""
    import matplotlib
    from matplotlib.figure import Figure
    extension = os.path.splitext(path)[1][1:].lower()
    formats = Figure().canvas.get_supported_filetypes()
    if extension and extension not in formats:
        raise ConfigError(f"{key} {quoted(path)}: matplotlib cannot write .{extension} files; "
                          f"use one of .{', .'.join(sorted(set(formats) - {'pgf', *NO_TRANSPARENCY}))}")
    if extension in NO_TRANSPARENCY:
        raise ConfigError(f"{key} {quoted(path)}: .{extension} (PostScript) cannot draw the figures' transparent "
                          "parts; use .pdf or .svg for a vector figure")
    texsystem = matplotlib.rcParams["pgf.texsystem"]
    if extension == "pgf" and not shutil.which(texsystem):
        raise ConfigError(f"{key} {quoted(path)}: .pgf needs {texsystem} (LaTeX), which is not installed here; "
                          "use .pdf or .svg, or install a TeX distribution")


# What may change on a built Trainer: how long and how loudly it trains, and what it draws.  The rest
# (the net, the data, the optimizer, the paths) is fixed when it is built.
LIVE_KEYS = ("total_epochs", "log_every", "quiet", "progress", "ckpt_every", "resume", "show", "live", "progress_epochs",
             "animation_frames", "animation_path", *FIGURE_KEYS)


def fixed_settings(cfg) -> dict:
    """A copy of the settings a built Trainer keeps (every key but LIVE_KEYS)."""
    return {key: copy.deepcopy(cfg[key]) for key in KINDS if key not in LIVE_KEYS}


def check_unchanged(cfg, fixed: dict) -> None:
    """ConfigError, one sentence, when a fixed setting of ``cfg`` changed after the Trainer was built:
    never train one thing and record another."""
    for key, value in fixed.items():
        if cfg[key] != value:
            raise ConfigError(f"{key} is {cfg[key]!r} but this Trainer was built with {value!r}: build a new "
                              f"Trainer(cfg) to train with it (only {', '.join(LIVE_KEYS[:6])} and the figures "
                              "may change on a built one)")
