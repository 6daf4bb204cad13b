"""The checks a checkpoint passes before a run uses it: every field of its kind and shape, values
that fit one another, and what a resumed run may change (see checkpoint.py for the format)."""

import numpy as np

from code.config.validate import MAX_COUNT, option
from code.run.names import shown
from code.run.snapshots import parameter_shapes

FORMAT = 2
FIELDS = {                       # name -> (kind, number of dimensions), checked at load
    "format": ("int", 0), "layers_dim": ("int", 1), "activation": ("text", 0),
    "epoch": ("int", 0), "iteration": ("int", 0), "imported": ("int", 0),
    "learning_rate": ("float", 0), "batch_size": ("int", 0), "seed": ("int", 0), "init": ("text", 0),
    "optimizer": ("text", 0), "momentum": ("float", 0), "betas": ("float", 1), "eps": ("float", 0),
    "shuffle": ("int", 0), "noise": ("float", 0), "val_fraction": ("float", 0), "data": ("text", 0),
    "snapshot_epochs": ("int", 1), "snapshot_params": ("float", 2),
}
TASK = {"loss": "mse", "dataset": "sine", "classes": 3, "n_points": 500, "weight_decay": 0.0,
        "output_activation": "none", "train_images": 0}   # the article's
OPTIONAL = {"loss": ("text", 0), "dataset": ("text", 0), "classes": ("int", 0), "n_points": ("int", 0),
            "weight_decay": ("float", 0), "output_activation": ("text", 0),
            "train_images": ("int", 0)}              # recorded when a run classifies, decays its weights, ...


class CheckpointError(Exception):
    """A checkpoint that cannot be read or written; the message names the path."""


# ---- the checks -----------------------------------------------------------------------------------------
def _is_kind(value: np.ndarray, kind: str) -> bool:
    if kind == "int":
        return value.dtype.kind in "iu"
    if kind == "float":
        return value.dtype == np.float64 and bool(np.all(np.isfinite(value)))
    return value.dtype.kind == "U"


def check_state(path: str, state: dict) -> None:
    """CheckpointError unless every field has its kind, shape and a value that fits the others."""
    fail = _failer(path)
    if "format" not in state or not _is_kind(state["format"], "int") or int(state["format"]) != FORMAT:
        fail(f"is not of format {FORMAT}: written by another version of this program")
    for name, (kind, ndim) in {**FIELDS, **{k: v for k, v in OPTIONAL.items() if k in state}}.items():
        if name not in state:
            fail(f"lacks the field {name}")
        if state[name].ndim != ndim or not _is_kind(state[name], kind):
            fail(f"field {name} is not {'a finite float64' if kind == 'float' else 'an integer' if kind == 'int' else 'text'} "
                 f"with {ndim} dimension(s)")
    dims = [int(d) for d in state["layers_dim"]]
    if len(dims) < 2 or min(dims) < 1:
        fail(f"layers_dim {dims} is not a list of at least two positive sizes")
    _check_weights(fail, state, dims)
    _check_progress(fail, state)


def _failer(path: str):
    def fail(message: str):
        raise CheckpointError(f"checkpoint {shown(path)}: {message}")
    return fail


def _nan_or_infinite(value: np.ndarray) -> str:
    """" holds NaN" / " holds an infinite value" for a float64 array that is not finite, else ""."""
    if value.dtype != np.float64 or np.all(np.isfinite(value)):
        return ""
    return " holds NaN" if np.any(np.isnan(value)) else " holds an infinite value"


def _check_weights(fail, state: dict, dims: list) -> None:
    shapes = parameter_shapes(dims)
    for name, value in state.items():
        if (name in shapes or name.startswith("optim_") or name == "snapshot_params") and _nan_or_infinite(value):
            fail(f"{name}{_nan_or_infinite(value)}: a run whose weights are not finite cannot go on")
    for name, shape in shapes.items():
        if name not in state:
            fail(f"lacks the field {name}")
        if state[name].shape != shape or not _is_kind(state[name], "float"):
            fail(f"{name} has shape {state[name].shape} ({state[name].dtype}); layers_dim {dims} "
                 f"needs {shape}, finite float64")
    for name, value in state.items():
        if name.startswith("optim_") and name != "optim_step":
            param = name.rsplit("_", 1)[-1]
            if param not in shapes or value.shape != shapes[param] or not _is_kind(value, "float"):
                fail(f"{name} is not a finite float64 array shaped like {param}")
    if "optim_step" in state and (not _is_kind(state["optim_step"], "int") or state["optim_step"].ndim != 0):
        fail("optim_step is not an integer")
    size = sum(int(np.prod(s)) for s in shapes.values())
    if state["snapshot_params"].shape[1:] != (size,):
        fail(f"snapshot_params has shape {state['snapshot_params'].shape}; the net has {size} parameters")


def _check_progress(fail, state: dict) -> None:
    epoch, iteration = int(state["epoch"]), int(state["iteration"])
    counts = [epoch, iteration, int(state["batch_size"])] + ([int(state["optim_step"])] if "optim_step" in state else [])
    if max(counts) > MAX_COUNT:
        fail(f"declares counts beyond 2**53 (epoch {epoch}, iteration {iteration}): no run gets there")
    if epoch < 0 or iteration < epoch:
        fail(f"epoch {epoch} and iteration {iteration} do not agree (each epoch takes at least one update)")
    if int(state["batch_size"]) < 1 or float(state["learning_rate"]) <= 0:
        fail("batch_size and learning_rate must be positive")
    snapshots = state["snapshot_epochs"]
    if len(snapshots) != len(state["snapshot_params"]) or np.any(snapshots < 1) or np.any(snapshots > epoch):
        fail("snapshot_epochs do not fit snapshot_params and epoch")
    if len(state["betas"]) != 2:
        fail("betas must hold two numbers")


# ---- what a resumed run keeps, and what it may change ---------------------------------------------------
DEFINING = ("layers_dim", "activation", "init", "seed", *TASK, "noise", "val_fraction", "data", "optimizer",
            "learning_rate", "momentum", "betas", "eps", "batch_size", "shuffle")   # a change: another run
WARM = ("learning_rate", "momentum", "betas", "eps", "weight_decay", "batch_size", "shuffle", "optimizer",
        "seed", "init")                         # warm_start may change these and go on from the weights
IGNORED = ("seed", "init")                      # they only shape the initial weights


def _shown(value) -> str:
    value = value.tolist() if isinstance(value, np.ndarray) else value
    return str(value.item() if hasattr(value, "item") else value)


def other_run(state: dict, settings: dict, strict: bool = True, warm: bool = False) -> dict:
    """{} when a checkpoint (``state``) can go on as this run (``settings``, in its form); else what
    differs, {key: (the checkpoint's, this run's)}, e.g. {"learning_rate": ("0.03", "0.1")}.  Every
    DEFINING setting counts; with ``warm`` (warm_start) the WARM ones may change.  ``strict`` False:
    only the net, the loss and the data count (what no run can go on under)."""
    keys = [key for key in DEFINING if (strict and not (warm and key in WARM)) or key not in WARM]
    pairs = {key: (_shown(_field(state, key)), _shown(_field(settings, key))) for key in keys}
    return {key: (before, now) for key, (before, now) in pairs.items() if before != now}


def _field(fields: dict, key: str):
    """A field of a checkpoint or of settings(); the article's value for a classification key not recorded."""
    return fields[key] if key in fields else TASK[key]


def describe(differs: dict) -> str:
    """"layers_dim [1, 25, 1] -> [1, 30, 10, 1], ..." for other_run's answer."""
    return ", ".join(f"{key} {before} -> {now}" for key, (before, now) in differs.items())


def resume_notes(path: str, state: dict, settings: dict, warm: bool = False) -> list:
    """The lines a resume prints (``settings``: this run's, in the checkpoint's form).  CheckpointError
    when the checkpoint is another run's: any DEFINING setting differs (with ``warm``, one of WARM may,
    and each change gets a line)."""
    differs = other_run(state, settings, warm=warm)
    if differs:
        hint = "" if warm or other_run(state, settings, warm=True) else f", go on from its weights with {option('warm_start', True)}"
        raise CheckpointError(f"checkpoint {shown(path)} is another run's ({describe(differs)}): it cannot go on as this one. "
                              f"Give another {option('ckpt_path')}, put this run in a folder of its own with "
                              f"{option('out')}{hint}, or move the checkpoint away to train afresh")
    changed = other_run(state, settings, warm=False) if warm else {}
    notes = []
    for key, (before, now) in changed.items():
        why = ("ignored: the weights come from the checkpoint" if key in IGNORED else
               "its state starts afresh" if key == "optimizer" else "from this epoch on")
        notes.append(f"warm start: {key} {before} -> {now}, {why}")
    return notes
