"""Side-by-side runs: ``python demo.py --compare KEY=V1,V2,...`` trains one net per value of one key.

Every run starts from the same seed, hence the same initial weights wherever the
shapes allow, on the same data; none touches the main checkpoint (each writes
into a temp folder that is removed at the end).  It prints a table and draws
the loss curves and the final fits in one figure (compare_img_path).  Under cross-entropy the table
gives the cross-entropy and the accuracy on all points, and the figure the accuracy per epoch.

The runs are built and trained one after another, within a budget: at most MAX_VALUES values, and
what the runs keep until the figure is drawn (each run's parameters, its optimizer's state, its
snapshots and its points) at most BUDGET_VALUES numbers, checked before the first run is built.
"""

import contextlib
import io
import os
import tempfile
import time

import matplotlib
from easydict import EasyDict

from code.config.flags import read_defaults
from code.config.validate import KINDS, ConfigError, check_kind, validate
from code.lib.Data.prepare import classifies
from code.lib.Loss import get_loss, loss_name
from code.run import folders, names, paths, snapshots
from code.run.signals import StopOnSignal, TrainingStopped
from code.scripts.trainer import Trainer, TrainingDiverged
from code.see import figures, output

MAX_VALUES = 20                          # runs in one comparison: a figure of 20 curves is already crowded
BUDGET_VALUES = 2**27                    # numbers all the runs keep until the figure: 1 GiB of float64


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
    texts = [text for text in values.split(",") if text != ""]
    if len(texts) > MAX_VALUES:
        raise ConfigError(f"--compare {key}: {len(texts)} values; compare at most {MAX_VALUES} at a time")
    parsed = [parse_value(key, text) for text in texts]
    if len(parsed) < 2:
        raise ConfigError(f"--compare {spec!r}: give at least two values, separated by commas")
    for value in parsed:
        check_kind(key, value)
    return key, parsed


def run_configs(cfg, key: str, values: list, folder: str) -> list:
    """One checked config per value, each run writing into ``folder``: ConfigError before any is built."""
    runs = []
    for i, value in enumerate(values):
        run = EasyDict(dict(cfg))
        run.update({key: value, "resume": False, "show": False, "ckpt_every": 10**12, "log_every": 10**12,
                    "ckpt_path": os.path.join(folder, f"run{i}.npy"),
                    "metrics_path": os.path.join(folder, f"run{i}.csv")})
        validate(run)
        runs.append(run)
    check_budget(key, runs)
    for run in runs:                                           # the data checked too (layers_dim fits it):
        Trainer(run)                                           # each built and let go, one at a time
    return runs


def kept_values(run) -> int:
    """About how many numbers one run keeps until the figure: its parameters three times (the net and
    an optimizer's state), one copy a snapshot, and its points' inputs and targets, twice (the data
    and the batches).  A CSV file's points are the same in every run and counted once, by the file."""
    dims = list(run.layers_dim)
    parameters = sum((dims[i] + 1) * dims[i + 1] for i in range(len(dims) - 1))
    kept = len([e for e in snapshots.snapshot_epochs(run) if e <= run.total_epochs])
    points = 0 if run.data_path else run.n_points if run.dataset != "sine" else 200
    return parameters * (3 + kept) + 2 * points * (dims[0] + dims[-1])


def check_budget(key: str, runs: list) -> None:
    """ConfigError when the runs together would keep more than BUDGET_VALUES numbers."""
    total = sum(kept_values(run) for run in runs)
    if total > BUDGET_VALUES:
        raise ConfigError(f"--compare {key}: {len(runs)} runs would keep about {total:,} numbers until the figure "
                          f"(parameters, optimizer state, snapshots, points), beyond the budget of "
                          f"{BUDGET_VALUES:,}; compare fewer values, a smaller net or fewer points")


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
        runs = run_configs(cfg, key, values, folder)           # ConfigError before any run is built
        print(f"compare {key}: {len(values)} runs of {cfg.total_epochs} epochs from the same initial weights")
        classify = classifies(cfg)
        measure = measure_name(cfg, key)
        accuracy = f"  {'accuracy':>9s}" if classify else ""
        print(f"{key:>20s}  {measure:>27s}{accuracy}  {'last epoch (the curve)':>22s}  {'seconds':>8s}")
        rows = []
        for value, run in zip(values, runs):
            if stop.requested():                               # a signal between two runs
                raise TrainingStopped(stop.signum, rows[-1][1].epoch if rows else 0)
            trainer = Trainer(run)                             # built when its turn comes
            seconds, mse = train_quietly(trainer)
            trainer.snapshots = {}                             # the figure needs none: their memory goes
            shown = table_cells(trainer, mse, classify)
            print(f"{format_value(value):>20s}  {shown}  {seconds:8.2f}", flush=True)
            rows.append((f"{key}={format_value(value)}", trainer, mse))
        with matplotlib.rc_context(output.STYLE):
            written = output.save_figure(figures.plot_compare(key, rows), cfg.compare_img_path)
    print(f"figure saved: {names.shown(written)}")
    return rows


def table_cells(trainer, loss, classify: bool) -> str:
    """The row's loss on all points (and accuracy for a classifier) and its curve's end, or why there is none."""
    if not isinstance(loss, float):
        return f"{loss:>{61 if classify else 51}s}"
    accuracy = f"  {trainer.scores()['accuracy']:9.4f}" if classify else ""
    return f"{loss:27.6g}{accuracy}  {last_loss(trainer):>22s}"


def measure_name(cfg, key: str) -> str:
    """The head of the table's loss column (27 characters at most): the MSE of a fit, a classifier's
    cross-entropy or quadratic cost, or the loss of each when the runs compare losses."""
    name = "loss" if key == "loss" and classifies(cfg) else loss_name(get_loss(cfg.loss, classifies(cfg)))
    measure = f"{name} on all points"
    return measure if len(measure) <= 27 else f"{name}, all points"          # "quadratic cost, all points"


def format_value(value) -> str:
    return "-".join(map(str, value)) if isinstance(value, list) else str(value)
