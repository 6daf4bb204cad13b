# ruff: noqa: N999  (named like the article's modules)
"""The article's loss: J = (1 / 2m) * sum((output - y)^2), forward and backward side by side.

It is Nielsen's quadratic cost C = (1 / 2n) sum_x ||y(x) - a(x)||^2 too (his book, chapter 1): the
same learning rate means the same step.  Under labels (the handwritten digits), y is the one-hot
vector of each label: 1 for the true digit, 0 for the other nine.
"""

import numpy as np

from .CrossEntropyLoss import onehot


class MSELoss:
    """J = (1 / 2m) * sum((output - y)^2), m the samples (columns).

    output, y: (out, m); or, with onehot=True, y: (1, m) labels 0 .. out-1, compared as onehot(y).
    backward gives m * dJ/doutput = output - y, the article's dz of the last layer (each layer
    divides by m once, in its dw and db).
    """

    def __init__(self, onehot: bool = False):
        self.onehot = onehot                                   # y holds labels: compare with onehot(y)

    def targets(self, output: np.ndarray, y: np.ndarray) -> np.ndarray:
        """y as the output should be, (out, m): onehot(y) of labels, else y itself."""
        return onehot(y, output.shape[0]) if self.onehot else y

    def forward(self, output: np.ndarray, y: np.ndarray) -> float:
        """J, a number."""
        y = self.targets(output, y)                            # (out, m)
        return float(np.sum((output - y) ** 2) / (2 * y.shape[1]))

    def backward(self, output: np.ndarray, y: np.ndarray) -> np.ndarray:
        """m * dJ/doutput, (out, m): the last layer's dz when the output is linear."""
        y = self.targets(output, y)                            # (out, m)
        return output - y                                      # dz{L} = output - y
