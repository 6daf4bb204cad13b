# ruff: noqa: N999  (named like the article's modules)
"""Cross-entropy for classification, forward and backward side by side, as torch.nn.CrossEntropyLoss
(K >= 2 outputs: softmax over them) and torch.nn.BCEWithLogitsLoss (one output: a sigmoid) define it.

output: (K, m) logits z, the last layer's output (no activation); y: (1, m) labels 0 .. K-1 (0 or 1
when K = 1).  J = mean over the m samples of -log p_label, with p = softmax(z) (or sigmoid(z)).
backward gives m * dJ/dz = p - onehot(label): the same form as the squared error's output - y, and
for the same reason: each is the derivative of a loss matched to its output's link (identity for
the squared error, softmax for the cross-entropy), so everything non-linear cancels.

sigmoid_outputs=True: one sigmoid per output instead of the softmax, each output a yes/no question
(Nielsen's cross-entropy with sigmoid outputs, his book's chapter 3), with onehot(label) as the
answers: J = mean over the m samples of sum over the K outputs of -[y log s(z) + (1 - y) log(1 - s(z))],
and m * dJ/dz = sigmoid(z) - onehot(label).  With one output both forms are the same.
"""

import numpy as np


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log p = z - log sum exp z, per column (K, m), computed from z - max z: logits of +-1000 are finite."""
    shifted = z - z.max(axis=0, keepdims=True)                 # the largest becomes 0: exp cannot overflow
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def onehot(y: np.ndarray, classes: int) -> np.ndarray:
    """(classes, m): 1 in row y[0, j] of column j, 0 elsewhere."""
    labels = y.reshape(-1).astype(np.int64)
    hot = np.zeros((classes, labels.size))
    hot[labels, np.arange(labels.size)] = 1.0
    return hot


class CrossEntropyLoss:
    """J = mean(-log p_label); p = softmax(z) for K >= 2 outputs, sigmoid(z) for one (binary);
    with sigmoid_outputs, a sigmoid for each of the K outputs (see the module's docstring)."""

    def __init__(self, sigmoid_outputs: bool = False):
        self.sigmoid_outputs = sigmoid_outputs

    def forward(self, output: np.ndarray, y: np.ndarray) -> float:
        """J, a number."""
        if output.shape[0] == 1 or self.sigmoid_outputs:       # each output: -[y log s(z) + (1 - y) log(1 - s(z))]
            z, answers = output, self.answers(output, y)       # (K, m), (K, m)
            per_output = np.maximum(z, 0) - z * answers + np.log1p(np.exp(-np.abs(z)))   # = softplus(z) - y z, stably
            return float(per_output.sum() / y.shape[1])
        log_p = log_softmax(output)                            # (K, m)
        return float(-(log_p * onehot(y, output.shape[0])).sum() / y.shape[1])

    def backward(self, output: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dz of the last layer, m * dJ/dz = p - onehot(label), (K, m)."""
        if output.shape[0] == 1 or self.sigmoid_outputs:
            return sigmoid(output) - self.answers(output, y)   # sigmoid(z) - y, output by output
        return probabilities(output) - onehot(y, output.shape[0])

    def answers(self, output: np.ndarray, y: np.ndarray) -> np.ndarray:
        """What each sigmoid output should say, (K, m): y itself for one output, else onehot(y)."""
        return y if output.shape[0] == 1 else onehot(y, output.shape[0])


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)), element by element, without overflow."""
    return np.exp(-np.logaddexp(0.0, -z))


def probabilities(output: np.ndarray) -> np.ndarray:
    """p (K, m): softmax over the K logits of each column, or sigmoid(z) for one logit (P(label 1))."""
    if output.shape[0] == 1:
        return sigmoid(output)                                 # P(label 1)
    return np.exp(log_softmax(output))


def predicted(output: np.ndarray) -> np.ndarray:
    """The predicted label of each column, (m,)."""
    return (output[0] > 0).astype(np.int64) if output.shape[0] == 1 else output.argmax(axis=0)
