# ruff: noqa: N999  (the article's module name)
"""Batches of a dataset, as column blocks, like PyTorch's DataLoader."""

import math
from collections.abc import Iterator

import numpy as np


def as_columns(dataset, key: str) -> np.ndarray:
    """The whole dataset's ``key`` as a (features, N) array, built once.

    Uses ``dataset.x`` / ``dataset.y`` when the dataset has them; otherwise
    collates ``dataset[i][key]`` for every i, a single time.
    """
    if hasattr(dataset, key):
        return np.atleast_2d(np.asarray(getattr(dataset, key), dtype=float))  # (N,) counts as (1, N)
    samples = [np.atleast_1d(dataset[i][key]) for i in range(len(dataset))]
    return np.stack(samples, axis=1).astype(float)            # (features, N)


class DataLoader:
    """Iterate over ``{'x': (in, m), 'y': (out, m)}`` batches of ``batch_size`` columns.

    shuffle=False, drop_last=False is the article's behaviour: batches in
    dataset order, the last one partial (200 samples, batch 90 -> 90, 90, 20).
    shuffle=True draws a new order each epoch from ``rng`` (a np.random.Generator;
    set it to seed the order).  drop_last=True leaves out a partial last batch.
    Every ``for batch in loader`` is a whole, fresh epoch.
    """

    def __init__(self, dataset, batch_size: int, shuffle: bool = False,
                 drop_last: bool = False, rng: np.random.Generator = None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = np.random.default_rng() if rng is None else rng
        self.x = as_columns(dataset, "x")                        # (in, N)
        self.y = as_columns(dataset, "y")                        # (out, N)
        self.in_order = list(self._batches(self.x, self.y))

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = self.x.shape[1]
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[dict]:
        # A new iterator for each loop, so a loop that stops early never leaves
        # the next one mid-epoch.  In order, the batches are views of x and y,
        # sliced once in __init__ (no per-epoch work); shuffled, gathered copies.
        if self.shuffle:
            order = self.rng.permutation(self.x.shape[1])
            return self._batches(self.x[:, order], self.y[:, order])
        return iter(self.in_order)

    def _batches(self, x: np.ndarray, y: np.ndarray) -> Iterator[dict]:
        for i in range(len(self)):
            start = i * self.batch_size
            yield {"x": x[:, start:start + self.batch_size],
                   "y": y[:, start:start + self.batch_size]}
