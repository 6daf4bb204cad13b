"""The losses a network can learn with, named like torch.nn's: each with forward and backward."""

import numpy as np

from .CrossEntropyLoss import CrossEntropyLoss, predicted
from .MSELoss import MSELoss

LOSSES: dict = {"mse": MSELoss, "cross_entropy": CrossEntropyLoss}


def get_loss(name: str):
    """A new MSELoss() or CrossEntropyLoss() for ``name``, or ValueError."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}: choose one of {', '.join(LOSSES)}")
    return LOSSES[name]()


def evaluate(loss, output: np.ndarray, y: np.ndarray) -> dict:
    """How a net with ``loss`` did, its output (out, N) against y (out, N): {"loss": the mean of
    (output - y)^2, as the article's test prints it} or, under cross-entropy, {"loss": the
    cross-entropy, "accuracy": right labels / N}."""
    if isinstance(loss, CrossEntropyLoss):
        return {"loss": loss.forward(output, y), "accuracy": float(np.mean(predicted(output) == y[0]))}
    return {"loss": float(np.mean((output - y) ** 2))}


def describe(found: dict) -> str:
    """"MSE 0.155..." or "accuracy 0.99... cross-entropy 0.11..." for evaluate's answer."""
    if "accuracy" in found:
        return f"accuracy {found['accuracy']} cross-entropy {found['loss']}"
    return f"MSE {found['loss']}"
