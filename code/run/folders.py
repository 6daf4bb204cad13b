"""Where a run's files go.  One answer, for the command line, the importer and Python alike, and it
never changes the caller's cfg: ``placed(cfg, out)`` returns a copy with every path filled in.

    python demo.py                             # ckpt.npy, metrics.csv, result.png, ... here
    python demo.py --out runs/adam --optimizer adam    # the same names, under runs/adam/
    python demo.py --ckpt-path runs/a/mine.npy # mine.metrics.csv, mine.result.png, ... beside it
    (edit learning_rate, then) python demo.py  # ./ckpt.npy is the 0.03 run's: this run is another,
                                               # so it goes to runs/learning_rate=0.1/

A run is named by the settings that define its numbers (checks.DEFINING).  The default checkpoint
belongs to the first run trained here; a run with other defining settings gets a folder of its own,
named from what differs.  A path you give (``out``, ``ckpt_path``) is taken at its word: a checkpoint
of another run there is refused, never replaced (checks.resume_notes).
"""

import hashlib
import os

from easydict import EasyDict

from code.config.flags import read_defaults
from code.config.validate import PATH_KEYS, option
from code.run.checkpoint import load_checkpoint
from code.run.checks import describe, other_run
from code.run.names import shown

OUTPUT_KEYS = (*PATH_KEYS, "animation_path")
DATA_KEYS = ("noise", "val_fraction", "dataset", "n_points", "classes")   # each changes the data's fingerprint
MAX_NAME = 80                              # a run folder's name, in bytes: long ones end in a hash


def placed(cfg, out: str) -> EasyDict:
    """A copy of ``cfg`` whose output paths still at their defaults go under ``out`` (when set), or
    beside a checkpoint you named (``mine.npy``: ``mine.metrics.csv``, ``mine.result.png``, ...).
    A path given explicitly stays as it is."""
    defaults, cfg = read_defaults()[0], EasyDict(dict(cfg))
    cfg.out = out
    own_ckpt = cfg.ckpt_path != defaults.ckpt_path
    folder = out or (os.path.dirname(cfg.ckpt_path) if own_ckpt else "")
    stem = os.path.basename(cfg.ckpt_path)
    prefix = "" if not own_ckpt or stem == os.path.basename(defaults.ckpt_path) else os.path.splitext(stem)[0] + "."
    if not folder and not prefix:
        return cfg                                          # the article's place: every path as it is
    for key in OUTPUT_KEYS:
        if cfg[key] and cfg[key] == defaults[key] and (key != "ckpt_path" or out):
            name = os.path.basename(cfg[key])
            cfg[key] = os.path.join(folder, name if key == "ckpt_path" else prefix + name)
    return cfg


def place_outputs(cfg, defaults=None) -> None:
    """With cfg.out set, every output path still at its default goes under cfg.out (for --compare's
    own cfg, which it may change)."""
    cfg.update(placed(cfg, cfg.out))


def own_folder(differs: dict, identity: str) -> str:
    """runs/<what differs>, e.g. runs/learning_rate=0.1 or runs/layers_dim=1-30-10-1; ``data`` left out
    when a data setting explains it; a name longer than MAX_NAME bytes is cut and ends in a hash."""
    if any(key in differs for key in DATA_KEYS):
        differs = {key: pair for key, pair in differs.items() if key != "data"}
    name = "_".join(f"{key}={now.strip('[]').replace(', ', '-')}" for key, (_, now) in differs.items())
    name = "".join(c if c.isalnum() or c in "=-_.+" else "-" for c in name)
    if len(name.encode()) > MAX_NAME:
        name = name.encode()[:MAX_NAME - 17].decode(errors="ignore") + "-" + hashlib.sha256(name.encode()).hexdigest()[:16]
    return os.path.join("runs", name)


def choose_out(cfg, settings: dict, identity: str) -> tuple:
    """(out, note): the folder this run's files go in ("": where the paths say) and the line that says
    why, when the default checkpoint holds another run.  ``settings``: this run's, in the checkpoint's
    form; ``identity``: its state.run_identity.  Reads the default checkpoint; writes nothing."""
    defaults = read_defaults()[0]
    if cfg.out or cfg.ckpt_path != defaults.ckpt_path or not os.path.isfile(cfg.ckpt_path):
        return cfg.out, ""
    differs = other_run(load_checkpoint(cfg.ckpt_path), settings, strict=True, warm=cfg.warm_start)
    if not differs:
        return "", ""
    out = own_folder(differs, identity)
    there = os.path.join(out, os.path.basename(defaults.ckpt_path))
    if os.path.isfile(there) and other_run(load_checkpoint(there), settings, strict=True, warm=cfg.warm_start):
        out = f"{out}_{identity[:8]}"                         # that folder holds yet another run
    warm = "" if other_run(load_checkpoint(cfg.ckpt_path), settings, warm=True) else \
        f"; {option('warm_start', True)} goes on from its weights instead"
    return out, (f"{shown(defaults.ckpt_path)} holds another run ({describe(differs)}): this run keeps its files in {shown(out)}/ "
                 f"({option('out')} chooses the folder{warm})")
