"""The activations a network can use, chosen by name.

Each entry is ``(function, derivative_from_output)``: the backward pass gets
the derivative from the activation's cached output, so it never recomputes it.
"""

from .ReLU import relu, relu_derivative_from_output
from .Sigmoid import sigmoid, sigmoid_derivative_from_output
from .Tanh import tanh, tanh_derivative_from_output

ACTIVATIONS: dict = {
    "sigmoid": (sigmoid, sigmoid_derivative_from_output),
    "tanh": (tanh, tanh_derivative_from_output),
    "relu": (relu, relu_derivative_from_output),
}


def get_activation(name: str) -> tuple:
    """Return ``(function, derivative_from_output)`` for ``name``, or raise ValueError."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]
