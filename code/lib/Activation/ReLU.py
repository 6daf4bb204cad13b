# ruff: noqa: N999  (the article's module name)
"""ReLU activation: relu(x) = max(x, 0), and its derivative (1 where x > 0, else 0)."""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    """relu(x) = max(x, 0), elementwise; any shape in, same shape out."""
    return np.maximum(x, 0.0)


def relu_derivative(x: np.ndarray) -> np.ndarray:
    """relu'(x) = 1 where x > 0, else 0 (we take 0 at the kink x = 0)."""
    return (x > 0).astype(float)


def relu_derivative_from_output(a: np.ndarray) -> np.ndarray:
    """relu'(x) written with the cached a = relu(x): 1 where a > 0, else 0."""
    return (a > 0).astype(float)
