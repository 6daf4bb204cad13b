"""The points a run trains on: optional noise on the targets, held-out points, the training batches.

With the defaults (noise 0, val_fraction 0) this is exactly the article's data,
trained and tested on all of its points.
"""

from types import SimpleNamespace

import numpy as np

from code.lib.Data.csv_data import DataError
from code.lib.Data.DataLoader import DataLoader, as_columns


def prepare_data(dataset, cfg) -> tuple:
    """(x, y, held_out, loader): the points (in, N), (out, N), the held-out mask (N,) and the training
    batches; DataError when layers_dim does not fit the data."""
    x, y, held_out = prepare(dataset, cfg)
    if cfg.layers_dim[0] != x.shape[0] or cfg.layers_dim[-1] != y.shape[0]:
        raise DataError(f"layers_dim must be [{x.shape[0]}, ..., {y.shape[0]}] to match the data (first = inputs, "
                        f"last = outputs), got {list(cfg.layers_dim)}")
    return x, y, held_out, training_loader(x, y, held_out, cfg)


def prepare(dataset, cfg) -> tuple:
    """(x, y, held_out): all the points as (in, N) and (out, N), the targets with noise if asked,
    and a boolean mask (N,) of the points held out of training, chosen at random (seeded)."""
    x, y = as_columns(dataset, "x"), as_columns(dataset, "y")
    if cfg.noise > 0:                                          # 0: the article's exact targets
        y = y + np.random.default_rng([cfg.seed, 1]).normal(0.0, cfg.noise, y.shape)
    n = x.shape[1]
    held_out = np.zeros(n, dtype=bool)
    held_out[np.random.default_rng([cfg.seed, 2]).permutation(n)[:round(cfg.val_fraction * n)]] = True
    return x, y, held_out


def training_loader(x: np.ndarray, y: np.ndarray, held_out: np.ndarray, cfg) -> DataLoader:
    """Batches of the points not held out.  DataError if a CSV file has fewer than one batch."""
    train = ~held_out
    loader = DataLoader(SimpleNamespace(x=x[:, train], y=y[:, train]), cfg.batch_size, shuffle=cfg.shuffle)
    if loader.x.shape[1] == 0:
        raise DataError(f"val_fraction {cfg.val_fraction} holds out all {x.shape[1]} points: "
                        "none is left to train on")
    if cfg.data_path and loader.x.shape[1] < cfg.batch_size:
        raise DataError(f"data_path {cfg.data_path!r} has {loader.x.shape[1]} training points, "
                        f"fewer than one batch of batch_size {cfg.batch_size}")
    return loader
