"""Where a run's files go: under ``out`` when it is set, and in a folder of its own when the default
checkpoint belongs to another run (another net, optimizer or data), so that no run ever takes over
or overwrites another's files.

    python demo.py                      # ckpt.npy, metrics.csv, result.png, ... here
    python demo.py --out runs/adam --optimizer adam   # the same names, under runs/adam/
    (edit layers_dim, then) python demo.py            # ckpt.npy is the [1, 25, 1] run's: this one
                                                      # goes to runs/layers_dim=1-30-10-1/
"""

import os

from code.config.flags import read_defaults
from code.config.validate import COMMAND_LINE, PATH_KEYS, fixed_settings, option, validate
from code.run.checkpoint import load_checkpoint
from code.run.checks import describe, other_run
from code.run.names import shown
from code.run.paths import check_distinct

OUTPUT_KEYS = (*PATH_KEYS, "animation_path")


def place_outputs(cfg, defaults) -> None:
    """With cfg.out set, every output path still at its default goes under cfg.out, its file name
    kept; a path given explicitly stays as it is.  Changes ``cfg`` in place."""
    if not cfg.out:
        return
    for key in OUTPUT_KEYS:
        if cfg[key] and cfg[key] == defaults[key]:
            cfg[key] = os.path.join(cfg.out, os.path.basename(cfg[key]))


def own_folder(differs: dict) -> str:
    """runs/<what differs>, e.g. runs/layers_dim=1-30-10-1 (see checks.other_run)."""
    return os.path.join("runs", "_".join(f"{key}={now.strip('[]').replace(', ', '-')}"
                                         for key, (_, now) in differs.items()))


def choose(cfg, settings: dict) -> None:
    """Put the run's files where they belong (see the module's docstring); ``settings``: this run's,
    in the checkpoint's form.  Changes ``cfg``'s paths in place and says so in one line.

    From Python (a notebook re-run with another learning rate, or cfg.resume = False) any changed
    setting makes another run: a Trainer never goes on with, nor overwrites, another run's files
    without its own folder.  On the command line a resume may change the learning rate and the
    like (announced); --no-resume starts afresh where it is told to."""
    defaults = read_defaults()[0]
    place_outputs(cfg, defaults)
    from_python = not COMMAND_LINE["on"]
    if ((cfg.resume or from_python) and not cfg.out and cfg.ckpt_path == defaults.ckpt_path
            and os.path.isfile(cfg.ckpt_path)):
        differs = other_run(load_checkpoint(cfg.ckpt_path), settings, strict=from_python)
        if differs:
            cfg.out = own_folder(differs)
            place_outputs(cfg, defaults)
            print(f"{shown(defaults.ckpt_path)} holds another run ({describe(differs)}): this run keeps its files in {shown(cfg.out)}/ "
                  f"({option('out')} chooses the folder)")


def settle(cfg, settings: dict) -> dict:
    """Where a new Trainer's files go (choose), checked (every path writable, each file distinct):
    returns the fixed settings the Trainer keeps (validate.fixed_settings)."""
    choose(cfg, settings)
    validate(cfg)
    check_distinct(cfg)                                       # no file written twice, no input overwritten
    return fixed_settings(cfg)
