"""The 2-D classification datasets a learner knows from TensorFlow Playground, CS231n and micrograd,
generated here (no download), seeded, with labels 0 .. K-1.

Each maker returns (x, labels): x (2, N) one point per column, labels (N,) integers.  ``noise``
is the standard deviation of Gaussian noise added to the points; ``rng`` a np.random.Generator.
"""

import numpy as np


def circle(n: int, noise: float, rng) -> tuple:
    """A disk (label 1) inside a ring (label 0), as TensorFlow Playground's circle."""
    inside = np.arange(n) % 2 == 1
    radius = np.where(inside, rng.uniform(0.0, 2.0, n), rng.uniform(3.0, 5.0, n))
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)])
    return x + rng.normal(0.0, noise, x.shape), inside.astype(np.int64)


def xor(n: int, noise: float, rng) -> tuple:
    """Label 1 where x0 and x1 have the same sign: the four quadrants, as TensorFlow Playground's XOR."""
    x = rng.uniform(-5.0, 5.0, (2, n))
    x += np.where(x > 0, 0.3, -0.3)                                 # a margin along the axes
    labels = (x[0] * x[1] > 0).astype(np.int64)
    return x + rng.normal(0.0, noise, x.shape), labels


def gauss(n: int, noise: float, rng) -> tuple:
    """Two Gaussian blobs, around (2, 2) (label 1) and (-2, -2) (label 0)."""
    labels = (np.arange(n) % 2).astype(np.int64)
    centres = np.where(labels == 1, 2.0, -2.0)
    x = centres + rng.normal(0.0, 1.0 + noise, (2, n))
    return x, labels


def spiral(n: int, noise: float, rng, classes: int = 3) -> tuple:
    """``classes`` arms winding out from the centre, as CS231n's spiral: arm k, point i of it at radius
    r = i / points and angle t = 4 (k + r) (plus 0.2 of Gaussian noise, and ``noise``)."""
    labels = np.arange(n) % classes
    radius = np.linspace(0.0, 1.0, n)
    angle = 4.0 * (labels + radius) + rng.normal(0.0, 0.2, n)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)])
    return x + rng.normal(0.0, noise, x.shape), labels.astype(np.int64)


def moons(n: int, noise: float, rng) -> tuple:
    """Two interleaving half circles (label 0 above, label 1 below), as micrograd's moons."""
    labels = (np.arange(n) % 2).astype(np.int64)
    t = rng.uniform(0.0, np.pi, n)
    x = np.where(labels == 0, [np.cos(t), np.sin(t)], [1.0 - np.cos(t), 0.5 - np.sin(t)])
    return x + rng.normal(0.0, noise, x.shape), labels


DATASETS: dict = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "moons": moons}


class Points2D:
    """A generated 2-D set, as a dataset: x (2, N) points, y (1, N) labels (floats 0.0 .. K-1)."""

    def __init__(self, name: str, n: int, noise: float, seed: int, classes: int = 3):
        rng = np.random.default_rng([seed, 3])                     # its own stream: the weights' is left alone
        extra = {"classes": classes} if name == "spiral" else {}
        self.x, labels = DATASETS[name](n, noise, rng, **extra)
        self.y = labels[None, :].astype(np.float64)

    def __len__(self) -> int:
        return self.x.shape[1]

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[:, i], "y": self.y[:, i]}
