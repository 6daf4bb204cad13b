# ruff: noqa: N999  (the article's module name)
"""Sigmoid activation: sigma(x) = 1 / (1 + exp(-x)), and its derivative."""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + exp(-x)), elementwise; any shape in, same shape out."""
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """sigma'(x) = sigma(x) * (1 - sigma(x)), the article's form (recomputes sigma)."""
    return sigmoid(x) * (1 - sigmoid(x))


def sigmoid_derivative_from_output(a: np.ndarray) -> np.ndarray:
    """sigma'(x) written with the cached a = sigma(x): a * (1 - a).

    Same numbers as ``sigmoid_derivative(x)``, bit for bit, without computing
    the exponential again: the network's backward pass uses this one.
    """
    return a * (1 - a)
