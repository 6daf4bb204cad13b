# ruff: noqa: N999  (the article's module name)
"""ReLU activation: a = relu(z) = max(z, 0), and its derivative (1 where z > 0, else 0)."""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    """relu(x) = max(x, 0), elementwise; any shape in, same shape out."""
    return np.maximum(x, 0.0)


def relu_derivative(x: np.ndarray) -> np.ndarray:
    """relu'(x) = 1 where x > 0, else 0 (we take 0 at the kink x = 0)."""
    return (x > 0).astype(float)


class ReLU:
    """a = relu(z), forward and backward side by side (like torch.nn.ReLU)."""

    def forward(self, z: np.ndarray) -> np.ndarray:
        """z (n, m) -> a (n, m)"""
        return relu(z)

    def backward(self, da: np.ndarray, a: np.ndarray) -> np.ndarray:
        """da (n, m): the gradient at a; a (n, m): forward's output.  Returns dz = da where a > 0, else 0."""
        return da * (a > 0)

    def saturated(self, a: np.ndarray) -> np.ndarray:
        """True where the unit is off (a = 0): no gradient flows through it."""
        return a == 0
