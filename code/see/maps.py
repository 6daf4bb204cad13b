"""What a learner sees of a classifier over its two inputs: the decision map, as TensorFlow
Playground colours it (code/docs/classification.md)."""

import numpy as np
from matplotlib.figure import Figure

from code.lib.chunks import predict
from code.lib.Loss.CrossEntropyLoss import predicted, probabilities
from code.see.output import figure, sample

CLASS_COLOURS = np.array([[0.12, 0.47, 0.71], [1.0, 0.5, 0.05], [0.17, 0.63, 0.17], [0.84, 0.15, 0.16],
                          [0.58, 0.4, 0.74], [0.55, 0.34, 0.29], [0.89, 0.47, 0.76], [0.5, 0.5, 0.5]])


def class_probabilities(output: np.ndarray) -> np.ndarray:
    """Each class's probability, (K, N) with K >= 2: softmax of the K logits, or for one logit
    1 - sigmoid(z) and sigmoid(z) (classes 0 and 1)."""
    with np.errstate(over="ignore"):
        p = probabilities(output)
    return np.vstack([1 - p, p]) if p.shape[0] == 1 else p


def plot_decision(net, x: np.ndarray, labels: np.ndarray, held_out: np.ndarray, accuracy: float) -> Figure:
    """The decision map, as TensorFlow Playground colours it: each class's probability over the input
    plane (colour: the class, depth: its probability), the points in their class's colour, held-out
    ones as crosses, misclassified ones ringed in black.  x: (2, N), labels: (N,) integers."""
    fig = figure(6.5, 6, left=0.11, right=0.97, bottom=0.09, top=0.93)
    ax = fig.add_subplot()
    low, high = x.min(axis=1), x.max(axis=1)
    margin = 0.1 * (high - low) + 1e-9
    g0, g1 = np.meshgrid(np.linspace(low[0] - margin[0], high[0] + margin[0], 160),
                         np.linspace(low[1] - margin[1], high[1] + margin[1], 160))
    with np.errstate(over="ignore"):
        p = class_probabilities(predict(net, np.stack([g0.ravel(), g1.ravel()])))   # (K, G)
    colours = CLASS_COLOURS[np.arange(p.shape[0]) % len(CLASS_COLOURS)]             # (K, 3)
    image = 1 - 0.55 * (p.T @ (1 - colours))                                        # white, tinted by each class
    ax.imshow(image.reshape(160, 160, 3), origin="lower", aspect="auto",
              extent=(g0.min(), g0.max(), g1.min(), g1.max()))
    with np.errstate(over="ignore"):
        wrong = predicted(predict(net, x)) != labels
    shown = sample(x.shape[1])
    for points, marker in ((~held_out, "o"), (held_out, "x")):
        chosen = shown[points[shown]]
        ax.scatter(x[0, chosen], x[1, chosen], s=14, c=colours[labels[chosen] % len(colours)], marker=marker,
                   linewidths=1 if marker == "x" else 0.3, edgecolors="white" if marker == "o" else None)
    missed = shown[wrong[shown]]
    ax.scatter(x[0, missed], x[1, missed], s=60, facecolors="none", edgecolors="black", linewidths=1,
               label=f"misclassified ({np.count_nonzero(wrong)})")
    ax.set(xlabel="x0", ylabel="x1", title=f"decision map: accuracy {accuracy:.1%}")
    ax.legend(loc="upper right", fontsize="small")
    return fig
