# ruff: noqa: N999  (the article's module name)
"""Sigmoid activation: sigma(x) = 1 / (1 + exp(-x)), and its derivative."""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + exp(-x)), elementwise; any shape in, same shape out (float).

    Computed in four steps on one new array: the same numbers as the one-line
    formula, without its three temporary arrays (on a 1024 x 1000 layer those
    cost more than the arithmetic).
    """
    x = np.asarray(x, dtype=float)
    s = np.negative(x, out=np.empty_like(x))                   # -x
    np.exp(s, out=s)                                           # exp(-x)
    s += 1                                                     # 1 + exp(-x)
    return np.divide(1, s, out=s)                              # 1 / (1 + exp(-x))


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """sigma'(x) = sigma(x) * (1 - sigma(x)), the article's form (recomputes sigma)."""
    return sigmoid(x) * (1 - sigmoid(x))


def sigmoid_derivative_from_output(a: np.ndarray) -> np.ndarray:
    """sigma'(x) written with the cached a = sigma(x): a * (1 - a).

    Same numbers as ``sigmoid_derivative(x)``, bit for bit, without computing
    the exponential again: the network's backward pass uses this one.
    """
    d = 1 - a                                                  # 1 - sigma(x)
    d *= a                                                     # sigma(x) * (1 - sigma(x))
    return d
