"""The points a run trains on: optional noise on the targets, held-out points, the training batches.

With the defaults (noise 0, val_fraction 0) this is exactly the article's data,
trained and tested on all of its points.
"""

from types import SimpleNamespace

import numpy as np

from code.lib.chunks import batch_refusal
from code.lib.Data.csv_data import DataError
from code.lib.Data.DataLoader import DataLoader, as_columns
from code.run.names import quoted


def prepare_data(dataset, cfg) -> tuple:
    """(x, y, held_out, loader): the points (in, N), (out, N), the held-out mask (N,) and the training
    batches; DataError when layers_dim does not fit the data."""
    x, y, held_out = prepare(dataset, cfg)
    if classifies(cfg):
        check_labels(y, cfg)
    elif cfg.layers_dim[0] != x.shape[0] or cfg.layers_dim[-1] != y.shape[0]:
        raise DataError(f"layers_dim must be [{x.shape[0]}, ..., {y.shape[0]}] to match the data (first = inputs, "
                        f"last = outputs), got {list(cfg.layers_dim)}")
    return x, y, held_out, training_loader(x, y, held_out, cfg)


IMAGES = {"digits": (64, 10), "mnist": (784, 10)}                     # the image sets: (inputs, classes)


def classifies(cfg) -> bool:
    """The run's targets are labels: under the cross-entropy, or on the image sets under either loss
    (the squared error then compares the one-hot vector of each label, as Nielsen's chapter 1)."""
    return cfg.loss == "cross_entropy" or cfg.dataset in IMAGES


def check_labels(y: np.ndarray, cfg) -> None:
    """DataError unless y (1, N) holds integer labels 0 .. K-1 and layers_dim ends in K (or 1 for two
    classes, with a sigmoid); K: the spiral's classes, 2 for the other sets, layers_dim's last (at
    least 2) for a CSV file, 10 for the digits."""
    dims = list(cfg.layers_dim)
    classes = cfg.classes if cfg.dataset == "spiral" else 2 if cfg.dataset != "sine" else max(dims[-1], 2)
    classes = IMAGES[cfg.dataset][1] if cfg.dataset in IMAGES else classes
    bad = np.flatnonzero((y[0] != np.round(y[0])) | (y[0] < 0) | (y[0] >= classes))
    if len(bad):
        where = f"data_path {quoted(cfg.data_path)} row {bad[0] + 2} column {dims[0] + 1}" if cfg.data_path else "the labels"
        raise DataError(f"{where}: {float(y[0, bad[0]])!r} is not a label, an integer from 0 to {classes - 1}")
    inputs = IMAGES[cfg.dataset][0] if cfg.dataset in IMAGES else 2 if cfg.dataset != "sine" else dims[0]
    if dims[0] != inputs or dims[-1] not in ((classes, 1) if classes == 2 else (classes,)):
        one = " (or 1, a sigmoid, for two classes)" if classes == 2 else ""
        raise DataError(f"layers_dim {dims} does not fit: the first size must be the {inputs} inputs and the last "
                        f"the {classes} classes{one}")


def prepare(dataset, cfg) -> tuple:
    """(x, y, held_out): all the points as (in, N) and (out, N), the targets with noise if asked,
    and a boolean mask (N,) of the points held out of training, chosen at random (seeded), or the
    dataset's own ``held_out`` (N,) when it has one (the digits' fixed test images)."""
    x, y = as_columns(dataset, "x"), as_columns(dataset, "y")
    if cfg.noise > 0 and not classifies(cfg):                  # 0: the article's exact targets; labels: never
        y = y + np.random.default_rng([cfg.seed, 1]).normal(0.0, cfg.noise, y.shape)
    n = x.shape[1]
    held_out = np.zeros(n, dtype=bool)
    held_out[np.random.default_rng([cfg.seed, 2]).permutation(n)[:round(cfg.val_fraction * n)]] = True
    if getattr(dataset, "held_out", None) is not None:
        held_out = np.asarray(dataset.held_out, dtype=bool).copy()
    return x, y, held_out


def training_loader(x: np.ndarray, y: np.ndarray, held_out: np.ndarray, cfg) -> DataLoader:
    """Batches of the points not held out.  DataError if a CSV file has fewer than one batch."""
    train = ~held_out
    loader = DataLoader(SimpleNamespace(x=x[:, train], y=y[:, train]), cfg.batch_size, shuffle=cfg.shuffle)
    if loader.x.shape[1] == 0:
        raise DataError(f"val_fraction {cfg.val_fraction} holds out all {x.shape[1]} points: "
                        "none is left to train on")
    if cfg.data_path and loader.x.shape[1] < cfg.batch_size:
        raise DataError(f"data_path {quoted(cfg.data_path)} has {loader.x.shape[1]} training points, "
                        f"fewer than one batch of batch_size {cfg.batch_size}")
    refusal = batch_refusal(cfg.layers_dim, min(cfg.batch_size, loader.x.shape[1]), cfg.batch_size)
    if refusal:
        raise DataError(refusal)
    return loader
