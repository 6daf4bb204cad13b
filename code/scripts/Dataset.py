# ruff: noqa: N999  (the article's module name)
"""The data to fit: y = 20 sin(2 pi x) on x = 0.00, 0.01, ..., 1.99."""

import numpy as np

from code.lib.Data.csv_data import CSVDataset
from code.lib.Data.digits import Digits
from code.lib.Data.mnist import MNIST
from code.lib.Data.toy2d import Points2D


class Dataset:
    """Points of y = amplitude * sin(2 pi x), for x in arange(start, stop, step).

    The defaults are the article's: 200 points, amplitude 20.
    x, y: (1, N) arrays, one sample per column.
    dataset[i] is ``{'x': x_i, 'y': y_i}`` (scalars).
    """

    def __init__(self, start: float = 0.0, stop: float = 2.0, step: float = 0.01,
                 amplitude: float = 20.0):
        x = np.arange(start, stop, step)                       # (N,)
        y = amplitude * np.sin(2 * np.pi * x)                  # (N,)
        self.x = x.reshape(1, -1)                              # (1, N)
        self.y = y.reshape(1, -1)                              # (1, N)

    def __len__(self) -> int:
        return self.x.shape[1]

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[0, i], "y": self.y[0, i]}


def make_dataset(cfg) -> Dataset:
    """The data a run fits: Dataset() (the article's), the CSV file at cfg.data_path, or a generated
    2-D set to classify (cfg.dataset: circle, xor, gauss, spiral, moons), or the handwritten digits (digits, or mnist from the folder data_path)."""
    if cfg.dataset == "digits":
        return Digits()
    if cfg.dataset == "mnist":
        return MNIST(cfg.data_path, cfg.train_images)
    if cfg.dataset != "sine":
        return Points2D(cfg.dataset, cfg.n_points, cfg.noise, cfg.seed, cfg.classes)
    if not cfg.data_path:
        return Dataset()
    targets = 1 if cfg.loss == "cross_entropy" else cfg.layers_dim[-1]   # labels: one column
    return CSVDataset(cfg.data_path, cfg.layers_dim[0], targets)
