# ruff: noqa: N999  (the article's module name)
"""Sigmoid activation: a = sigma(z) = 1 / (1 + exp(-z)), and its derivative sigma(z) (1 - sigma(z))."""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + exp(-x)), elementwise; any shape in, same shape out.

    The formula one step a line on one new array (the same bits as ``1 / (1 + np.exp(-x))``,
    without two of its temporary arrays).
    """
    s = np.exp(-x)                                             # exp(-x)
    s += 1.0                                                   # 1 + exp(-x), in place
    return np.divide(1.0, s, out=s)                            # 1 / (1 + exp(-x)), in place


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """sigma'(x) = sigma(x) * (1 - sigma(x)), the article's form (computes sigma again)."""
    return sigmoid(x) * (1 - sigmoid(x))


class Sigmoid:
    """a = sigmoid(z), forward and backward side by side (like torch.nn.Sigmoid)."""

    def forward(self, z: np.ndarray) -> np.ndarray:
        """z (n, m) -> a (n, m)"""
        return sigmoid(z)

    def backward(self, da: np.ndarray, a: np.ndarray) -> np.ndarray:
        """da (n, m): the gradient at a; a (n, m): forward's output.  Returns dz (n, m).

        sigma'(z) = a * (1 - a): the article's sigmoid_derivative(z), from forward's output
        (the same numbers, without computing exp again).
        """
        dz = 1.0 - a                                           # 1 - sigma(z)                 (a new array)
        dz *= a                                                # sigma'(z) = sigma(z) (1 - sigma(z)), in place
        dz *= da                                               # dz = da * sigma'(z), in place
        return dz

    def saturated(self, a: np.ndarray) -> np.ndarray:
        """True where the unit is flat (a < 0.01 or a > 0.99): its gradient is almost 0."""
        return (a < 0.01) | (a > 0.99)
