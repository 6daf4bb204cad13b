# ruff: noqa: N999  (the article's module name)
"""Tanh activation: tanh(x), and its derivative 1 - tanh(x)^2."""

import numpy as np


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x), elementwise; any shape in, same shape out."""
    return np.tanh(x)


def tanh_derivative(x: np.ndarray) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)^2."""
    return 1 - np.tanh(x) ** 2


def tanh_derivative_from_output(a: np.ndarray) -> np.ndarray:
    """tanh'(x) written with the cached a = tanh(x): 1 - a^2."""
    d = a * a                                                  # tanh(x)^2
    return np.subtract(1, d, out=d)                            # 1 - tanh(x)^2
