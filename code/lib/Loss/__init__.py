"""The losses a network can learn with, named like torch.nn's: each with forward and backward."""

from .CrossEntropyLoss import CrossEntropyLoss
from .MSELoss import MSELoss

LOSSES: dict = {"mse": MSELoss, "cross_entropy": CrossEntropyLoss}


def get_loss(name: str):
    """A new MSELoss() or CrossEntropyLoss() for ``name``, or ValueError."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}: choose one of {', '.join(LOSSES)}")
    return LOSSES[name]()
