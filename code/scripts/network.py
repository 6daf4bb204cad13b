"""The multi-layer network of the article, with its hand-written backpropagation.

Shapes, with m samples as columns and L = len(linear_list) - 1 the last layer:
    a[0] = z[0] = x                      (layers_dim[0], m)
    z[i+1] = W_i . a[i] + b_i            (layers_dim[i+1], m)
    a[i+1] = sigmoid(z[i+1])             hidden layers; the last layer: a = z

Speed, without changing a single bit of the article's numbers: every W_i and
b_i is a view into one flat array ``flat_params``, and backward() writes every
dw_i and db_i into views of one flat array ``flat_grads`` laid out the same
way.  The "/ m" of all gradients and the update "p -= lr * dp" of all
parameters are then one NumPy operation each, instead of two per array; each
number still goes through exactly the article's operations, in its order.
"""

from code.lib.Activation import get_activation
from code.lib.Module.Linear import Linear

import numpy as np


class network:
    """A stack of Linear layers, each hidden one followed by the activation.

    layers_dim: sizes, e.g. [1, 25, 1]; linear_list[i] maps layers_dim[i] -> layers_dim[i+1].
    activation: "sigmoid" (the article's), "tanh" or "relu".
    init:       "uniform" (the article's [0, 1)) or "xavier".
    rng:        source of the initial weights (see ``Linear``); the global np.random when None.
    """

    def __init__(self, layers_dim: list, activation: str = "sigmoid", init: str = "uniform",
                 rng=None, bias: bool = True):
        self.layers_dim = list(layers_dim)
        self.activation = activation
        self.act, self.act_derivative = get_activation(activation)
        self.linear_list = [Linear(self.layers_dim[i], self.layers_dim[i + 1], bias=bias,
                                   init=init, rng=rng)
                            for i in range(len(self.layers_dim) - 1)]
        self.grad_names = [(f"dz{i}", f"dw{i}", f"db{i}") for i in range(len(self.linear_list))]
        self.share_flat_buffers()

    def share_flat_buffers(self) -> None:
        """Move every W_i, b_i into one flat array, flat_params (each becomes a view of it),
        and make flat_grads, laid out the same way, with a view for every dw_i, db_i."""
        self.flat_params = np.concatenate([p.ravel() for p in self.parameters().values()])
        self.flat_grads = np.zeros_like(self.flat_params)
        self.param_views = []                                    # (linear, "weight", view of flat_params), ...
        self.grad_views = {}                                     # 'dw0' -> view of flat_grads, ...
        offset = 0
        for name, param in self.parameters().items():            # w0, b0, w1, b1, ...: the same order
            linear, attribute = self.linear_list[int(name[1:])], "weight" if name[0] == "w" else "bias"
            view = self.flat_params[offset:offset + param.size].reshape(param.shape)
            setattr(linear, attribute, view)
            self.param_views.append((linear, attribute, view))
            self.grad_views["d" + name] = self.flat_grads[offset:offset + param.size].reshape(param.shape)
            offset += param.size

    def forward(self, x: np.ndarray) -> tuple:
        """x (layers_dim[0], m) -> (caches, output (layers_dim[-1], m)).

        caches = {'z': [z0, z1, ...], 'a': [a0, a1, ...]} with z0 = a0 = x.
        """
        caches = {"z": [x], "a": [x]}
        a = x
        last = len(self.linear_list) - 1
        for i, linear in enumerate(self.linear_list):
            z = linear.forward(a)                                    # z[i+1] = W_i a[i] + b_i
            a = z if i == last else self.act(z)                      # a[i+1] = sigmoid(z[i+1])
            caches["z"].append(z)
            caches["a"].append(a)
        return caches, a

    def backward(self, caches: dict, output: np.ndarray, y: np.ndarray) -> dict:
        """Gradients of (1 / 2m) * sum((output - y)^2), keyed 'dz{i}', 'dw{i}', 'db{i}'.

        dz{i}: (layers_dim[i+1], m)   the gradient at z[i+1], times m
        dw{i}: (layers_dim[i+1], layers_dim[i]), the shape of W_i
        db{i}: (layers_dim[i+1], 1), the shape of b_i
        The activation's derivative comes from the cached a[i+1]: no sigmoid is recomputed.
        dw{i} and db{i} are views of ``flat_grads``: the next backward() overwrites them.
        """
        grads = {}
        m = y.shape[1]
        last = len(self.linear_list) - 1
        dz = output - y                                              # dz_L = output - y
        for i in range(last, -1, -1):
            dz_name, dw_name, db_name = self.grad_names[i]           # "dz{i}", "dw{i}", "db{i}"
            if i < last:
                W_next = self.linear_list[i + 1].weight
                dz = np.dot(W_next.T, dz)                            # W_{i+1}^T dz_{i+1}
                dz *= self.act_derivative(caches["a"][i + 1])        # dz_i = W_{i+1}^T dz_{i+1} * sigmoid'(z[i+1])
            grads[dz_name] = dz
            np.dot(dz, caches["a"][i].T, out=self.grad_views[dw_name])   # dw_i = dz_i a[i]^T  (/ m below)
            if db_name in self.grad_views:
                dz.sum(axis=1, keepdims=True, out=self.grad_views[db_name])  # db_i = sum of dz_i's columns  (/ m below)
        self.flat_grads /= m                                         # every dw_i and db_i: / m
        grads.update(self.grad_views)
        return grads

    def update_grads(self, grads: dict, learning_rate: float) -> None:
        """One gradient-descent step, in place: W_i -= lr * dw_i, b_i -= lr * db_i."""
        if self.uses_flat_buffers(grads):
            self.flat_params -= learning_rate * self.flat_grads      # all W_i -= lr * dw_i, b_i -= lr * db_i at once
            return
        for linear, (_, dw_name, db_name) in zip(self.linear_list, self.grad_names):  # otherwise: one array at a time
            linear.weight -= learning_rate * grads[dw_name]              # W_i -= lr * dw_i
            if linear.bias is not None:
                linear.bias -= learning_rate * grads[db_name]            # b_i -= lr * db_i

    def uses_flat_buffers(self, grads: dict) -> bool:
        """True when every W_i, b_i is still its flat_params view (nobody assigned a new array
        to ``linear.weight``) and every dw_i, db_i in ``grads`` is the flat_grads view backward() filled."""
        for linear, attribute, view in self.param_views:
            if getattr(linear, attribute) is not view:
                return False
        for name, view in self.grad_views.items():
            if grads.get(name) is not view:
                return False
        return True

    def parameters(self) -> dict:
        """The live parameter arrays, keyed 'w{i}' and 'b{i}' (the checkpoint's names)."""
        params = {}
        for i, linear in enumerate(self.linear_list):
            params[f"w{i}"] = linear.weight
            if linear.bias is not None:
                params[f"b{i}"] = linear.bias
        return params
