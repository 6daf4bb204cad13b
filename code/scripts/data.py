"""The data a run trains on: the article's sine, or a CSV file; optional noise and held-out points.

With the defaults (data_path "", noise 0, val_fraction 0) this is exactly the
article's Dataset(), trained and tested on all of its 200 points.
"""

import os
import warnings
from code.config.validate import ConfigError
from code.lib.Data.DataLoader import DataLoader, as_columns
from code.scripts.Dataset import Dataset
from types import SimpleNamespace

import numpy as np


class CSVDataset:
    """Points from a CSV file with a header row: the first ``inputs`` columns are x, the last
    ``outputs`` columns y.  x: (inputs, N), y: (outputs, N), one sample per column."""

    def __init__(self, path: str, inputs: int, outputs: int):
        table = read_csv(path, inputs + outputs)               # (N, inputs + outputs)
        self.x = table[:, :inputs].T.copy()
        self.y = table[:, table.shape[1] - outputs:].T.copy()

    def __len__(self) -> int:
        return self.x.shape[1]

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[:, i], "y": self.y[:, i]}


def read_csv(path: str, columns: int) -> np.ndarray:
    """The numbers of a CSV file with a header row, (rows, columns); ConfigError naming the file,
    the row and the column of the first problem.  NumPy's loadtxt reads it (fast, no per-row
    Python work); only when it fails does a plain scan look for where."""
    if not os.path.isfile(path):
        raise ConfigError(f"data_path {path!r}: no such file")
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline()
    if not header.strip():
        raise ConfigError(f"data_path {path!r} is empty: it needs a header row, then one row per point")
    found = len(header.split(","))
    if found != columns:
        raise ConfigError(f"data_path {path!r} has {found} columns; layers_dim asks for {columns} "
                          f"(the first layers_dim[0] are inputs, the last layers_dim[-1] targets)")
    try:
        with warnings.catch_warnings():                        # "no data": said below in our own words
            warnings.simplefilter("ignore", UserWarning)
            table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
    except ValueError:
        _locate_problem(path, columns)
        raise ConfigError(f"data_path {path!r} cannot be read as numbers") from None
    if table.shape[0] == 0:
        raise ConfigError(f"data_path {path!r} has a header but no rows")
    bad = np.argwhere(~np.isfinite(table))
    if len(bad):
        row, column = bad[0]
        raise ConfigError(f"data_path {path!r} row {row + 2} column {column + 1}: {table[row, column]} "
                          "is not a finite number")
    return table


def _locate_problem(path: str, columns: int) -> None:
    """ConfigError at the first row with the wrong number of cells, or a cell that is not a number."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            if number == 1 or not line.strip():
                continue
            cells = line.rstrip("\n").split(",")
            if len(cells) != columns:
                raise ConfigError(f"data_path {path!r} row {number}: {len(cells)} cells, the header has {columns}")
            for column, cell in enumerate(cells, start=1):
                try:
                    float(cell)
                except ValueError:
                    raise ConfigError(f"data_path {path!r} row {number} column {column}: {cell.strip()!r} "
                                      "is not a number") from None


def make_dataset(cfg):
    """Dataset() (the article's), or the CSV file at cfg.data_path."""
    if not cfg.data_path:
        return Dataset()
    return CSVDataset(cfg.data_path, cfg.layers_dim[0], cfg.layers_dim[-1])


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
    """Batches of the points not held out.  ConfigError if a CSV file has fewer than one batch."""
    train = ~held_out
    loader = DataLoader(SimpleNamespace(x=x[:, train], y=y[:, train]), cfg.batch_size, shuffle=cfg.shuffle)
    if cfg.data_path and loader.x.shape[1] < cfg.batch_size:
        raise ConfigError(f"data_path {cfg.data_path!r} has {loader.x.shape[1]} training points, "
                          f"fewer than one batch of batch_size {cfg.batch_size}")
    return loader
