"""An independent, plain restatement of the article's program (SEED_API.md), for tests.

Nothing here comes from the package: the tests train this and the package side
by side and compare the numbers.  It keeps the article's costs too: batches are
collated sample by sample, and backward recomputes the sigmoid.
"""

import numpy as np


def seed_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def seed_sigmoid_derivative(x):
    return seed_sigmoid(x) * (1 - seed_sigmoid(x))


def seed_batches(x_all, y_all, batch_size):
    """The article's loader: per-sample values gathered into (1, m) arrays, in order."""
    n = x_all.shape[1]
    for start in range(0, n, batch_size):
        samples = [{"x": x_all[0, j], "y": y_all[0, j]} for j in range(start, min(start + batch_size, n))]
        yield (np.array([s["x"] for s in samples]).reshape(1, -1),
               np.array([s["y"] for s in samples]).reshape(1, -1))


def seed_step(weights, biases, x, y, learning_rate):
    """forward, backward and update of the article, on lists of arrays, in place. Returns the loss."""
    last = len(weights) - 1
    z, a = [x], [x]
    for i in range(last + 1):
        z.append(weights[i].dot(a[i]) + biases[i])
        a.append(z[-1] if i == last else seed_sigmoid(z[-1]))
    output, m = a[-1], y.shape[1]
    grads = {f"dz{last}": output - y}
    for i in range(last, -1, -1):
        if i < last:
            grads[f"dz{i}"] = weights[i + 1].T.dot(grads[f"dz{i + 1}"]) * seed_sigmoid_derivative(z[i + 1])
        grads[f"dw{i}"] = grads[f"dz{i}"].dot(a[i].T) / m
        grads[f"db{i}"] = np.sum(grads[f"dz{i}"], axis=1, keepdims=True) / m
    for i in range(last + 1):
        weights[i] -= learning_rate * grads[f"dw{i}"]
        biases[i] -= learning_rate * grads[f"db{i}"]
    return np.mean((output - y) ** 2)


def seed_train(weights, biases, x_all, y_all, batch_size, epochs, learning_rate=0.03):
    """Train in place for ``epochs``; returns the loss of every batch, in order."""
    losses = []
    for _ in range(epochs):
        for x, y in seed_batches(x_all, y_all, batch_size):
            losses.append(seed_step(weights, biases, x, y, learning_rate))
    return losses
