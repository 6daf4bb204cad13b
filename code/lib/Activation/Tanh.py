# ruff: noqa: N999  (the article's module name)
"""Tanh activation: a = tanh(z), and its derivative 1 - tanh(z)^2."""

import numpy as np


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x), elementwise; any shape in, same shape out."""
    return np.tanh(x)


def tanh_derivative(x: np.ndarray) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)^2."""
    return 1 - np.tanh(x) ** 2


class Tanh:
    """a = tanh(z), forward and backward side by side (like torch.nn.Tanh)."""

    def forward(self, z: np.ndarray) -> np.ndarray:
        """z (n, m) -> a (n, m)"""
        return tanh(z)

    def backward(self, da: np.ndarray, a: np.ndarray) -> np.ndarray:
        """da (n, m): the gradient at a; a (n, m): forward's output.  Returns dz = da * (1 - a^2)."""
        return da * (1 - a * a)

    def saturated(self, a: np.ndarray) -> np.ndarray:
        """True where the unit is flat (|a| > 0.99)."""
        return np.abs(a) > 0.99
