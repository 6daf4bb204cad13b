# ruff: noqa: N999  (named like the article's modules)
"""Adam, as torch.optim.Adam documents it (its L2 weight_decay; no AMSGrad)."""

import numpy as np


class Adam:
    """At step t, for each parameter p with gradient g:
        m = beta1 * m + (1 - beta1) * g            first moment, (same shape as p)
        v = beta2 * v + (1 - beta2) * g^2          second moment
        m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
        p -= lr * m_hat / (sqrt(v_hat) + eps)

    params: {name: array}, the live arrays of ``network.parameters()`` (updated in place)
    grads:  {"d" + name: array}, as ``network.backward()`` returns them
    """

    def __init__(self, params: dict, lr: float, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        self.params = params
        self.weight_decay = weight_decay                       # g = g + lambda * p first
        self.lr = lr
        self.betas = tuple(betas)
        self.eps = eps
        self.state = {"step": np.int64(0)}                    # and "exp_avg_w0", "exp_avg_sq_w0", ...

    def step(self, grads: dict) -> None:
        beta1, beta2 = self.betas
        self.state["step"] += 1
        t = int(self.state["step"])
        for name, p in self.params.items():
            g = grads["d" + name]
            if self.weight_decay != 0:
                g = g + self.weight_decay * p                  # g = g + lambda * p
            m = self.state.setdefault(f"exp_avg_{name}", np.zeros_like(p))
            v = self.state.setdefault(f"exp_avg_sq_{name}", np.zeros_like(p))
            m *= beta1
            m += (1 - beta1) * g                               # m = beta1 m + (1 - beta1) g
            v *= beta2
            v += (1 - beta2) * (g * g)                         # v = beta2 v + (1 - beta2) g^2
            m_hat = m / (1 - beta1 ** t)
            v_hat = v / (1 - beta2 ** t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)   # p -= lr m_hat / (sqrt(v_hat) + eps)

    def state_dict(self) -> dict:
        return dict(self.state)

    def load_state_dict(self, state: dict) -> None:
        self.state = {name: (np.int64(value) if name == "step" else np.array(value, dtype=float))
                      for name, value in state.items()}
        self.state.setdefault("step", np.int64(0))
