# ruff: noqa: N999  (named like the article's modules)
"""Stochastic gradient descent, optionally with momentum, as torch.optim.SGD documents it."""

import numpy as np


class SGD:
    """p -= lr * b, where b = g (momentum 0: the article's update_grads) or, with momentum mu,
    b = g at the first step, then b = mu * b + g.

    params: {name: array}, the live arrays of ``network.parameters()`` (updated in place)
    grads:  {"d" + name: array of the same shape}, as ``network.backward()`` returns them
    weight_decay lambda: g = g + lambda * p first (L2 regularisation); dampening and Nesterov are left out.
    """

    def __init__(self, params: dict, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.state = {}                                        # "momentum_buffer_w0" -> array

    def step(self, grads: dict) -> None:
        for name, p in self.params.items():
            g = grads["d" + name]                              # (same shape as p)
            if self.weight_decay != 0:
                g = g + self.weight_decay * p                  # g = g + lambda * p
            if self.momentum != 0:
                g = self._buffer(name, g)                      # b = mu * b + g
            p -= self.lr * g                                   # p -= lr * b

    def _buffer(self, name: str, g: np.ndarray) -> np.ndarray:
        key = f"momentum_buffer_{name}"
        if key not in self.state:
            self.state[key] = g.copy()                         # b = g at the first step
            return self.state[key]
        b = self.state[key]
        b *= self.momentum                                     # mu * b
        b += g                                                 # mu * b + g
        return b

    def state_dict(self) -> dict:
        return dict(self.state)

    def load_state_dict(self, state: dict) -> None:
        self.state = {name: np.array(value, dtype=float) for name, value in state.items()}
