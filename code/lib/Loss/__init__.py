"""The losses a network can learn with, named like torch.nn's: each with forward and backward."""

import numpy as np

from .CrossEntropyLoss import CrossEntropyLoss, predicted
from .MSELoss import MSELoss

LOSSES: dict = {"mse": MSELoss, "cross_entropy": CrossEntropyLoss}


def get_loss(name: str, labels: bool = False, sigmoid_outputs: bool = False):
    """A new MSELoss() or CrossEntropyLoss() for ``name``, or ValueError.  labels: the targets are
    labels, which the squared error compares as one-hot vectors; sigmoid_outputs: the
    cross-entropy's sigmoid per output (Nielsen's) instead of the softmax."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}: choose one of {', '.join(LOSSES)}")
    if name == "mse":
        return MSELoss(onehot=labels)
    return CrossEntropyLoss(sigmoid_outputs=sigmoid_outputs)


def classifies(loss) -> bool:
    """The loss compares outputs with labels: its runs are measured by their accuracy too."""
    return isinstance(loss, CrossEntropyLoss) or loss.onehot


def loss_name(loss) -> str:
    """How the output and the log name the loss: "MSE", "cross-entropy" or "quadratic cost" (the squared
    error of one-hot labels)."""
    if isinstance(loss, CrossEntropyLoss):
        return "cross-entropy"
    return "quadratic cost" if loss.onehot else "MSE"


def evaluate(loss, output: np.ndarray, y: np.ndarray) -> dict:
    """How a net with ``loss`` did, its output (out, N) against y (out, N): {"loss": the mean of
    (output - y)^2, as the article's test prints it} or, against labels, {"loss": the loss J (the
    cross-entropy, or the quadratic cost of the one-hot targets), "accuracy": right labels / N,
    "name": the loss's name}."""
    if classifies(loss):
        return {"loss": loss.forward(output, y), "accuracy": float(np.mean(predicted(output) == y[0])),
                "name": loss_name(loss)}
    return {"loss": float(np.mean((output - y) ** 2))}


def describe(found: dict) -> str:
    """"MSE 0.155..." or "accuracy 0.99... cross-entropy 0.11..." for evaluate's answer."""
    if "accuracy" in found:
        return f"accuracy {found['accuracy']} {found['name']} {found['loss']}"
    return f"MSE {found['loss']}"
