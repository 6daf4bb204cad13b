"""What a learner sees of a net that reads digit images (--dataset digits or mnist): the held-out
digits it got wrong, with their true and predicted labels; the confusion matrix; and each hidden unit's
first-layer weights drawn as an image, as CS231n shows them (code/docs/data.md)."""

import numpy as np
from matplotlib.figure import Figure

from code.lib.Loss.CrossEntropyLoss import predicted
from code.see.output import figure

SHOWN = 24                                             # misclassified digits drawn, at most


def confusion(labels: np.ndarray, guesses: np.ndarray, classes: int = 10) -> np.ndarray:
    """(classes, classes) counts: row = the true digit, column = the net's answer.  labels, guesses: (N,)."""
    table = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(table, (labels, guesses), 1)
    return table


def plot_digits(x: np.ndarray, labels: np.ndarray, output: np.ndarray, held_out: np.ndarray, side: int) -> Figure:
    """The held-out images the net got wrong (true -> predicted) and the held-out confusion matrix.
    x: (side * side, N) pixels in 0 .. 1; labels: (N,) integers; output: the net's (10, N)."""
    guesses = predicted(output)
    held = np.flatnonzero(held_out)
    wrong = held[guesses[held] != labels[held]]
    fig = figure(12, 5.2, left=0.02, right=0.98, bottom=0.1, top=0.9)
    grid = fig.add_gridspec(4, 12, wspace=0.15, hspace=0.45)
    for k, i in enumerate(wrong[:SHOWN]):
        ax = fig.add_subplot(grid[k // 6, k % 6])
        ax.imshow(x[:, i].reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{labels[i]} -> {guesses[i]}", fontsize="small", color="firebrick")
        ax.set_axis_off()
    fig.text(0.25, 0.95, f"held-out digits misclassified: {len(wrong)} of {len(held)} (true -> predicted)",
             ha="center")
    draw_confusion(fig.add_subplot(grid[:, 7:]), confusion(labels[held], guesses[held]))
    return fig


def draw_confusion(ax, table: np.ndarray) -> None:
    """The confusion matrix (10, 10) as a grid of counts, darker where larger."""
    ax.imshow(table, cmap="Blues")
    for (row, column), count in np.ndenumerate(table):
        if count:
            ax.text(column, row, str(count), ha="center", va="center", fontsize="small",
                    color="white" if count > table.max() / 2 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true digit",
           title=f"confusion matrix of the held-out digits (accuracy {np.trace(table) / table.sum():.1%})")


def plot_weights(weight: np.ndarray, side: int) -> Figure:
    """Each hidden unit's first-layer weights W0[j] (side * side,) as an image: red positive, blue
    negative, the same scale for all.  weight: (hidden, side * side); at most 100 units drawn."""
    units = min(weight.shape[0], 100)
    columns = min(units, 10)
    rows = -(-units // columns)
    fig = figure(1.2 * columns + 0.4, 1.2 * rows + 0.6, left=0.02, right=0.98, bottom=0.02, top=1 - 0.5 / (1.2 * rows + 0.6))
    scale = np.abs(weight[:units]).max() or 1.0
    for j in range(units):
        ax = fig.add_subplot(rows, columns, j + 1)
        ax.imshow(weight[j].reshape(side, side), cmap="RdBu_r", vmin=-scale, vmax=scale)
        ax.set_title(f"unit {j}", fontsize="x-small")
        ax.set_axis_off()
    fig.suptitle(f"first layer's weights, one image per hidden unit (red > 0, blue < 0, |w| up to {scale:.2g})")
    return fig
