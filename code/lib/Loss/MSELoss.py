# ruff: noqa: N999  (named like the article's modules)
"""The article's loss: J = (1 / 2m) * sum((output - y)^2), forward and backward side by side."""

import numpy as np


class MSELoss:
    """J = (1 / 2m) * sum((output - y)^2), m the samples (columns).

    output, y: (out, m).  backward gives m * dJ/doutput = output - y, the article's dz of the
    last layer (each layer divides by m once, in its dw and db).
    """

    def forward(self, output: np.ndarray, y: np.ndarray) -> float:
        """J, a number."""
        return float(np.sum((output - y) ** 2) / (2 * y.shape[1]))

    def backward(self, output: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dz of the last layer, (out, m)."""
        return output - y                                      # dz{L} = output - y
