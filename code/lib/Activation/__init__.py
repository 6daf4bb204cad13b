"""The activations a network can use, chosen by name: each a module with forward and backward."""

from .ReLU import ReLU
from .Sigmoid import Sigmoid
from .Tanh import Tanh

ACTIVATIONS: dict = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}


def get_activation(name: str):
    """A new Sigmoid(), Tanh() or ReLU() for ``name``, or ValueError."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]()
