"""Check a network's backward() against central finite differences.

The loss is the one backward() differentiates, net.loss: J = (1 / 2m) * sum((output - y)^2), the
article's, or the cross-entropy.
"""

import numpy as np


def loss_of(net, x: np.ndarray, y: np.ndarray) -> float:
    """The net's loss J on (x, y): the article's (1 / 2m) * sum((output - y)^2), or the cross-entropy."""
    _, output = net.forward(x)
    return net.loss.forward(output, y)


def relative_error(analytic: np.ndarray, numeric: np.ndarray, entrywise: bool = False) -> float:
    """||a - n|| / (||a|| + ||n||), Euclidean norms over the whole array; with ``entrywise``,
    the largest |a - n| of one entry over the same ||a|| + ||n|| (what --explain prints).

    Scaled by the array, not entry by entry: an entry whose gradient is almost 0
    would otherwise turn the finite differences' rounding noise (about 1e-11
    here) into a large ratio.
    """
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    difference = np.max(np.abs(analytic - numeric)) if entrywise else np.linalg.norm(analytic - numeric)
    return float(difference / max(scale, 1e-300))


def numeric_gradient(net, param: np.ndarray, x: np.ndarray, y: np.ndarray,
                     h: float = 1e-5) -> np.ndarray:
    """dJ/dparam by central differences: (J(p + h) - J(p - h)) / 2h, one entry at a time."""
    grad = np.zeros_like(param)
    for index in np.ndindex(param.shape):
        saved = param[index]
        param[index] = saved + h
        j_plus = loss_of(net, x, y)
        param[index] = saved - h
        j_minus = loss_of(net, x, y)
        param[index] = saved                                   # put the weight back exactly
        grad[index] = (j_plus - j_minus) / (2 * h)
    return grad


def gradient_check(net, x: np.ndarray, y: np.ndarray, h: float = 1e-5, entrywise: bool = False) -> dict:
    """Relative error between backward() and finite differences, per parameter array
    (see relative_error for ``entrywise``).

    Returns {'w0': err, 'b0': err, ...}; below 1e-6 means the gradients agree.
    """
    caches, output = net.forward(x)
    grads = net.backward(caches, output, y)
    return {name: relative_error(grads["d" + name], numeric_gradient(net, param, x, y, h), entrywise)
            for name, param in net.parameters().items()}
