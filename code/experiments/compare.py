"""Side-by-side runs: ``python demo.py --compare KEY=V1,V2,...`` trains one net per value of one key.

Every run starts from the same seed, hence the same initial weights wherever the
shapes allow, on the same data; none touches the main checkpoint (each writes
into a temp folder that is removed at the end).  It prints a table and draws
the loss curves and the final fits in one figure (compare_img_path).
"""

import contextlib
import io
import os
import tempfile
import time

import matplotlib
from easydict import EasyDict

from code.config.flags import read_defaults
from code.config.validate import KINDS, ConfigError, check_kind
from code.run import folders, names, paths
from code.run.signals import StopOnSignal, TrainingStopped
from code.scripts.trainer import Trainer, TrainingDiverged
from code.see import figures, output


def parse_value(key: str, text: str):
    """One value of ``key`` from the command line: lists as 1-25-1, booleans as true/false."""
    kind = KINDS[key]
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            return {"true": True, "false": False}[text.lower()]
        if kind in ("ints", "floats"):
            return [int(v) if kind == "ints" else float(v) for v in text.split("-")]
        return text
    except (ValueError, KeyError):
        raise ConfigError(f"--compare: {text!r} is not a value of {key} ({kind})") from None


def parse_compare(spec: str) -> tuple:
    """'KEY=V1,V2,...' -> (key, [value, ...]); ConfigError for a bad key or value."""
    key, sep, values = spec.partition("=")
    if not sep or key not in KINDS or KINDS[key] == "path" or key in ("resume", "show"):
        raise ConfigError(f"--compare takes KEY=V1,V2,... with KEY a training setting (e.g. optimizer=sgd,adam), "
                          f"got {spec!r}")
    parsed = [parse_value(key, text) for text in values.split(",") if text != ""]
    if len(parsed) < 2:
        raise ConfigError(f"--compare {spec!r}: give at least two values, separated by commas")
    for value in parsed:
        check_kind(key, value)
    return key, parsed


def make_trainers(cfg, key: str, values: list, folder: str) -> list:
    """One Trainer per value, each writing into ``folder``; every config is checked before any training."""
    trainers = []
    for i, value in enumerate(values):
        run = EasyDict(dict(cfg))
        run.update({key: value, "resume": False, "show": False, "ckpt_every": 10**12, "log_every": 10**12,
                    "ckpt_path": os.path.join(folder, f"run{i}.npy"),
                    "metrics_path": os.path.join(folder, f"run{i}.csv")})
        trainers.append(Trainer(run))
    return trainers


def train_quietly(trainer) -> tuple:
    """(seconds, final MSE on all points or the reason there is none)."""
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            trainer.train()
    except TrainingDiverged as error:
        return time.perf_counter() - start, str(error).split(":")[0]
    seconds = time.perf_counter() - start
    return seconds, trainer.mse()


def last_loss(trainer) -> str:
    """The loss of the last epoch: where the figure's curve ends."""
    return f"{trainer.history.values['loss'][-1]:.6g}" if trainer.history.epochs else "-"


def compare(cfg, spec: str) -> list:
    """Train one run per value of the --compare spec, print the table, save the figure.
    Returns the rows: (label "key=value", trainer, final MSE or why there is none)."""
    key, values = parse_compare(spec)
    folders.place_outputs(cfg, read_defaults()[0])            # --out DIR: compare.png goes there too
    paths.check_distinct(cfg)                                 # compare_img_path is not the checkpoint
    # SIGTERM and SIGHUP too end in an exception (not a kill), so the temporary folder goes with it.
    with StopOnSignal() as stop, tempfile.TemporaryDirectory(prefix="hjlnet-compare-") as folder:
        trainers = make_trainers(cfg, key, values, folder)    # ConfigError before training
        print(f"compare {key}: {len(values)} runs of {cfg.total_epochs} epochs from the same initial weights")
        print(f"{key:>20s}  {'MSE on all points':>22s}  {'last epoch (the curve)':>22s}  {'seconds':>8s}")
        rows = []
        for value, trainer in zip(values, trainers):
            if stop.requested():                               # a signal between two runs
                raise TrainingStopped(stop.signum, trainer.epoch)
            seconds, mse = train_quietly(trainer)
            shown = f"{mse:22.6g}  {last_loss(trainer):>22s}" if isinstance(mse, float) else f"{mse:>46s}"
            print(f"{format_value(value):>20s}  {shown}  {seconds:8.2f}", flush=True)
            rows.append((f"{key}={format_value(value)}", trainer, mse))
        with matplotlib.rc_context(output.STYLE):
            written = output.save_figure(figures.plot_compare(key, rows), cfg.compare_img_path)
    print(f"figure saved: {names.shown(written)}")
    return rows


def format_value(value) -> str:
    return "-".join(map(str, value)) if isinstance(value, list) else str(value)
