"""What a checkpoint holds, built from a run: its settings, its progress, its snapshots, the
weights and the optimizer's state (checkpoint.py writes it, checks.py checks it)."""

import hashlib

import numpy as np

from code.config.validate import option
from code.run.checks import FORMAT, TASK
from code.run.names import shown


class TrainingDiverged(RuntimeError):
    """The loss or a weight became non-finite."""


def diverged(epoch: int, loss, cfg, saved_epoch) -> str:
    """The message of a run whose loss or weights stopped being finite, saying what is saved."""
    kept = "no checkpoint was written" if saved_epoch is None else f"{shown(cfg.ckpt_path)} keeps epoch {saved_epoch}"
    also = "".join(f" (or a smaller {option(key)} than {cfg[key]})" for key in ("noise", "weight_decay") if cfg[key])
    return (f"training diverged at epoch {epoch} (loss {loss}): try a smaller {option('learning_rate')} than "
            f"{cfg.learning_rate}{also}; {kept}")


def finite(params: dict, message: str) -> dict:
    """``params``, or TrainingDiverged(message) if a weight is not finite: nothing non-finite is saved."""
    if not all(np.all(np.isfinite(p)) for p in params.values()):
        raise TrainingDiverged(message)
    return params


def make_state(settings: dict, epoch: int, iteration: int, imported: bool, snapshots: dict,
               params: dict, optimizer_state: dict) -> dict:
    """Every field of a checkpoint, in order (the checksum is added by to_record).

    settings: how the run trains (settings below); snapshots: {epoch: flat parameters (P,)};
    params: {'w0': ..., 'b0': ...}; optimizer_state: {name: array}, saved as optim_<name>.
    """
    epochs = sorted(snapshots)
    size = sum(np.size(p) for p in params.values())
    return {"format": FORMAT, **settings, "epoch": epoch, "iteration": iteration, "imported": int(imported),
            "snapshot_epochs": np.array(epochs, dtype=np.int64),
            "snapshot_params": np.array([snapshots[e] for e in epochs], dtype=np.float64).reshape(len(epochs), size),
            **params, **{"optim_" + name: value for name, value in optimizer_state.items()}}


def settings(cfg, net, x: np.ndarray, y: np.ndarray, held_out: np.ndarray) -> dict:
    """How a run trains, in the checkpoint's form (see FIELDS): what a resume compares."""
    return {"layers_dim": np.array(net.layers_dim, dtype=np.int64), "activation": net.activation,
            "learning_rate": float(cfg.learning_rate), "batch_size": cfg.batch_size, "seed": cfg.seed,
            "init": cfg.init, "optimizer": cfg.optimizer, "momentum": float(cfg.momentum),
            "betas": np.array(cfg.betas, dtype=float), "eps": float(cfg.eps), "shuffle": int(cfg.shuffle),
            "noise": float(cfg.noise), "val_fraction": float(cfg.val_fraction),
            "data": fingerprint(x, y, held_out), **task(cfg)}


def task(cfg) -> dict:
    """The classification settings, recorded only when one differs from the article's (TASK): the
    article's checkpoint keeps its bytes."""
    if all(cfg[key] == value for key, value in TASK.items()):
        return {}
    return {"loss": cfg.loss, "dataset": cfg.dataset, "classes": int(cfg.classes), "n_points": int(cfg.n_points),
            "weight_decay": float(cfg.weight_decay), "output_activation": cfg.output_activation,
            "train_images": int(cfg.train_images)}


def optimizer_state(state: dict) -> dict:
    """The optimizer's arrays in a loaded checkpoint: its optim_<name> fields, keyed by name."""
    return {name[len("optim_"):]: value for name, value in state.items() if name.startswith("optim_")}


def fingerprint(*arrays: np.ndarray) -> str:
    """A short SHA-256 of the data's values and shapes: equal data, equal fingerprint."""
    digest = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a, dtype=np.float64)
        digest.update(f"{a.shape};".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()[:16]


def run_identity(settings: dict) -> str:
    """16 hex digits naming a run: a SHA-256 of its settings and its data's fingerprint (settings()'s
    dict, or a checkpoint's fields of the same names).  metrics.csv's first line carries it."""
    digest = hashlib.sha256()
    for key in sorted(RUN_KEYS):
        value = np.asarray(settings.get(key, TASK.get(key)))
        digest.update(f"{key}={value.tolist()!r};".encode())
    return digest.hexdigest()[:16]


RUN_KEYS = ("layers_dim", "activation", "learning_rate", "batch_size", "seed", "init", "optimizer", "momentum",
            "betas", "eps", "shuffle", "noise", "val_fraction", "data", *TASK)
