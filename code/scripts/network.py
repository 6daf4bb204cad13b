"""The multi-layer network of the article, with its hand-written backpropagation.

Shapes, with m samples as columns and L = len(linear_list) - 1 the last layer:
    a[0] = z[0] = x                      (layers_dim[0], m)
    z[i+1] = W_i . a[i] + b_i            (layers_dim[i+1], m)
    a[i+1] = sigmoid(z[i+1])             hidden layers; the last layer: a = z (the article's), or
                                         a = sigmoid(z) with output_activation "sigmoid" (Nielsen's)
The loss backward() differentiates: J = (1 / 2m) * sum((output - y)^2) (code/lib/Loss/MSELoss.py).
"""

import numpy as np

from code.lib.Activation import get_activation
from code.lib.Data.prepare import classifies
from code.lib.Loss import get_loss
from code.lib.Module.Linear import Linear


class network:
    """A stack of Linear layers, each hidden one followed by the activation.

    layers_dim: sizes, e.g. [1, 25, 1]; linear_list[i] maps layers_dim[i] -> layers_dim[i+1].
    activation: "sigmoid" (the article's), "tanh" or "relu".
    init:       "uniform" (the article's [0, 1)) or "xavier".
    rng:        source of the initial weights (see ``Linear``); the global np.random when None.
    loss:       "mse" (the article's) or "cross_entropy" (classification: code/lib/Loss/).
    output_activation: "none" (the article's linear output) or "sigmoid".  Under the cross-entropy
                the loss applies it to the logits itself (one sigmoid per output, not the softmax),
                so the net's output stays the logits z.
    labels:     the targets are labels (1, m); the squared error compares onehot(labels).
    """

    def __init__(self, layers_dim: list, activation: str = "sigmoid", init: str = "uniform",
                 rng=None, bias: bool = True, loss: str = "mse", output_activation: str = "none",
                 labels: bool = False):
        self.layers_dim = list(layers_dim)
        self.activation = activation
        self.act = get_activation(activation)                        # Sigmoid(): forward and backward
        sigmoid_outputs = output_activation == "sigmoid"
        self.loss = get_loss(loss, labels, sigmoid_outputs)          # J and its output gradient
        self.output_act = get_activation("sigmoid") if sigmoid_outputs and loss == "mse" else None
        self.linear_list = [Linear(self.layers_dim[i], self.layers_dim[i + 1], bias=bias,
                                   init=init, rng=rng)
                            for i in range(len(self.layers_dim) - 1)]

    def forward(self, x: np.ndarray) -> tuple:
        """x (layers_dim[0], m) -> (caches, output (layers_dim[-1], m)).

        caches = {'z': [z0, z1, ...], 'a': [a0, a1, ...]} with z0 = a0 = x.
        """
        caches = {"z": [x], "a": [x]}
        last = len(self.linear_list) - 1
        for i, linear in enumerate(self.linear_list):
            z = linear.forward(caches["a"][i])                       # z[i+1] = W_i a[i] + b_i
            if i < last:
                a = self.act.forward(z)                              # a[i+1] = sigmoid(z[i+1])
            else:
                a = z if self.output_act is None else self.output_act.forward(z)   # output = z, or sigmoid(z)
            caches["z"].append(z)
            caches["a"].append(a)
        return caches, a

    def backward(self, caches: dict, output: np.ndarray, y: np.ndarray) -> dict:
        """Gradients of the loss J, keyed 'dz{i}', 'dw{i}', 'db{i}'.

        dz{i}: (layers_dim[i+1], m)  m * dJ/dz[i+1]: the gradient at layer i's output z[i+1], times m
        dw{i}: (layers_dim[i+1], layers_dim[i]) = dJ/dW_i, the shape of W_i
        db{i}: (layers_dim[i+1], 1)  = dJ/db_i, the shape of b_i (absent when the net has no bias)
        """
        grads = {}
        dz = self.loss.backward(output, y)                           # dz{L} = output - y
        if self.output_act is not None:
            dz = self.output_act.backward(dz, output)                # dz{L} = (output - y) * sigmoid'(z{L})
        for i in range(len(self.linear_list) - 1, -1, -1):
            grads[f"dz{i}"] = dz
            da, grads[f"dw{i}"], db = self.linear_list[i].backward(dz, caches["a"][i], i > 0)
            if db is not None:
                grads[f"db{i}"] = db
            if i > 0:
                dz = self.act.backward(da, caches["a"][i])           # dz{i-1} = (W_i^T dz{i}) * sigmoid'(z[i])
        return grads

    def update_grads(self, grads: dict, learning_rate: float) -> None:
        """One gradient-descent step, in place: W_i -= lr * dw_i, b_i -= lr * db_i."""
        for i, linear in enumerate(self.linear_list):
            linear.weight -= learning_rate * grads[f"dw{i}"]         # W_i -= lr * dw_i
            if linear.bias is not None:
                linear.bias -= learning_rate * grads[f"db{i}"]       # b_i -= lr * db_i

    def parameters(self) -> dict:
        """The live parameter arrays, keyed 'w{i}' and 'b{i}' (the checkpoint's names)."""
        params = {}
        for i, linear in enumerate(self.linear_list):
            params[f"w{i}"] = linear.weight
            if linear.bias is not None:
                params[f"b{i}"] = linear.bias
        return params

    def load_parameters(self, params: dict) -> None:
        """Copy {'w0': ..., 'b0': ...} into the live arrays, in place (an optimizer keeps holding them)."""
        for name, param in self.parameters().items():
            param[...] = params[name]


def make_network(cfg, rng=None) -> network:
    """The net a run's cfg describes (layers_dim, activation, init, loss, output_activation); rng: its
    initial weights' source (np.random.RandomState(cfg.seed) in a run)."""
    return network(cfg.layers_dim, cfg.activation, cfg.init, rng=rng, loss=cfg.loss,
                   output_activation=cfg.output_activation, labels=classifies(cfg))
