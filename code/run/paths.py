"""No file a run writes may be another file it writes or reads.

Every output (the checkpoint, its lock, metrics.csv, each figure, the GIF, the comparison figure) is
compared with every other and with the inputs (data_path, the imported file) after resolving
symlinks and ".." and adding the extension matplotlib and Pillow add to a name without one.  One
place checks it all, before any training: the trainer, --compare and --import-original call it.
"""

import os

from code.config.validate import FIGURE_KEYS, ConfigError
from code.run.atomic import with_extension
from code.run.names import shown

TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"          # how the atomic writes name their temporary files
NAME_MAX = 255                                  # bytes in one file name, on Linux, macOS and Windows
TEMP_EXTRA = len(TEMP_PREFIX) + len(".XXXXXXXX") + len(TEMP_SUFFIX)   # what a temporary's name adds


def outputs(cfg) -> dict:
    """{what: the real path} of every file a run with ``cfg`` may write ("" keys are off)."""
    written = {"ckpt_path": cfg.ckpt_path, "the lock of ckpt_path": os.path.realpath(cfg.ckpt_path) + ".lock",
               "the lock of metrics_path": os.path.realpath(cfg.metrics_path) + ".lock",
               "metrics_path": cfg.metrics_path}
    for key in FIGURE_KEYS:
        written[key] = cfg[key] and with_extension(cfg[key], ".png")     # "": the figure is off
    written["animation_path"] = cfg.animation_path and with_extension(cfg.animation_path, ".gif")
    return {what: os.path.realpath(path) for what, path in written.items() if path}


def check_distinct(cfg, inputs: dict | None = None) -> None:
    """ConfigError naming both keys when two outputs are one file, or an output is an input
    (``inputs``: {key: path} read by the run, data_path included), or an output is named like a
    temporary file of an atomic write."""
    inputs = dict(inputs or {})
    if cfg.data_path:
        inputs["data_path"] = cfg.data_path
    seen = {os.path.realpath(path): key for key, path in inputs.items()}
    for key, path in outputs(cfg).items():
        name = os.path.basename(path)
        if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
            raise ConfigError(f"{key} {path!r} is named like a temporary file of a save; choose another name")
        check_name_length(key, path, 0 if key.startswith("the lock of") else TEMP_EXTRA)
        if path in seen:
            raise ConfigError(f"{key} and {seen[path]} are the same file ({shown(path)}): each file a run writes "
                              "must be a file of its own, never one it reads")
        seen[path] = key


def check_name_length(key: str, path: str, extra: int) -> None:
    """ConfigError when the file name of ``path``, with the ``extra`` bytes of the temporary name a save
    gives it, passes the file system's NAME_MAX bytes: refused before training, not after it."""
    size = len(os.fsencode(os.path.basename(path)))
    if size + extra > NAME_MAX:
        temporary = f"; a save writes it under a temporary name {extra} bytes longer" if extra else ""
        raise ConfigError(f"{key}: the file name {os.path.basename(path)[:40]!r}... is {size} bytes{temporary}, "
                          f"beyond the file system's limit of {NAME_MAX}: choose a name of at most "
                          f"{NAME_MAX - extra} bytes")
