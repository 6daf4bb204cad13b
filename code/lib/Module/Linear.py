# ruff: noqa: N999  (the article's module name)
"""A fully connected layer: z = W . input + b, its forward and its backward side by side."""

import numpy as np

INITS = ("uniform", "xavier", "normal")


def init_weight(out_features: int, in_features: int, init: str = "uniform",
                rng=None) -> np.ndarray:
    """A new weight matrix of shape (out_features, in_features).

    init="uniform": uniform in [0, 1), the article's ``np.random.random``.
    init="xavier":  uniform in [-r, r) with r = sqrt(6 / (in + out)) (Glorot), for deeper nets.
    init="normal":  N(0, 1), Nielsen's ``np.random.randn`` (his book, chapters 1 and 3).
    rng: anything with ``.random(shape)`` and ``.standard_normal(shape)`` (np.random.Generator or RandomState); the
         global ``np.random`` when None, as in the article.
    """
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}: choose one of {', '.join(INITS)}")
    rng = np.random if rng is None else rng
    if init == "normal":
        return rng.standard_normal((out_features, in_features))   # (out, in), N(0, 1)
    weight = rng.random((out_features, in_features))          # (out, in), in [0, 1)
    if init == "xavier":
        r = np.sqrt(6.0 / (in_features + out_features))
        weight = (2.0 * weight - 1.0) * r                      # (out, in), in [-r, r)
    return weight


class Linear:
    """z = weight . input + bias

    input:  (in_features, m), one sample per column
    weight: (out_features, in_features)
    bias:   (out_features, 1), zeros at first (N(0, 1) under init="normal", as Nielsen's); None when bias=False
    output: (out_features, m)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = False,
                 init: str = "uniform", rng=None):
        self.in_features = in_features
        self.out_features = out_features
        rng = np.random if rng is None else rng                # the article's global np.random
        self.weight = init_weight(out_features, in_features, init, rng)
        self.bias = np.zeros((out_features, 1)) if bias else None
        if bias and init == "normal":
            self.bias = rng.standard_normal((out_features, 1))  # (out, 1), N(0, 1)

    def forward(self, input: np.ndarray) -> np.ndarray:
        """(out, in) . (in, m) [+ (out, 1)] -> z (out, m)"""
        z = self.weight.dot(input)                             # W . input             (out, m)
        if self.bias is not None:
            z += self.bias                                     # + b, to every column   (out, m)
        return z

    def backward(self, dz: np.ndarray, input: np.ndarray, input_grad: bool = True) -> tuple:
        """The gradients of this layer, from dz and the input forward() was given.

        dz:    (out, m)  the gradient at z, times m (the network's loss is a mean over m samples)
        input: (in, m)   what forward() multiplied by the weight
        input_grad: False skips d_input (the first layer's input is the data: nothing below it)
        Returns (d_input, dw, db), new arrays every call:
        d_input: (in, m)    the gradient at input, times m, for the layer below; None if not asked
        dw:      (out, in)  the gradient of the weight
        db:      (out, 1)   the gradient of the bias; None when bias=False
        """
        m = float(dz.shape[1])                                 # samples in the batch
        dw = dz.dot(input.T)                                   # dz . input^T               (out, in)
        dw /= m                                                # dw = dz . input^T / m, in place
        db = None
        if self.bias is not None:
            db = dz.sum(axis=1, keepdims=True)                 # sum of dz's columns        (out, 1)
            db /= m                                            # db = sum of dz's columns / m, in place
        d_input = self.weight.T.dot(dz) if input_grad else None   # d_input = W^T . dz (in, m)
        return d_input, dw, db

    def __repr__(self) -> str:
        return (f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None})")
