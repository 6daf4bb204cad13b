"""What a learner sees of a classifier over its two inputs: the decision map, as TensorFlow
Playground colours it (code/docs/classification.md)."""

import numpy as np
from matplotlib.figure import Figure

from code.lib.chunks import predict
from code.lib.Loss import evaluate
from code.lib.Loss.CrossEntropyLoss import CrossEntropyLoss, predicted, probabilities
from code.see.output import figure, progress_grid, sample

CLASS_COLOURS = np.array([[0.12, 0.47, 0.71], [1.0, 0.5, 0.05], [0.17, 0.63, 0.17], [0.84, 0.15, 0.16],
                          [0.58, 0.4, 0.74], [0.55, 0.34, 0.29], [0.89, 0.47, 0.76], [0.5, 0.5, 0.5]])


def class_probabilities(output: np.ndarray) -> np.ndarray:
    """Each class's probability, (K, N) with K >= 2: softmax of the K logits, or for one logit
    1 - sigmoid(z) and sigmoid(z) (classes 0 and 1)."""
    with np.errstate(over="ignore"):
        p = probabilities(output)
    return np.vstack([1 - p, p]) if p.shape[0] == 1 else p


MAP_SIZE = 160                       # the decision map's grid: MAP_SIZE x MAP_SIZE points


def class_colours(net) -> np.ndarray:
    """(K, 3) one colour per class of ``net``'s output (two for a single logit)."""
    classes = max(net.linear_list[-1].weight.shape[0], 2)
    return CLASS_COLOURS[np.arange(classes) % len(CLASS_COLOURS)]


def class_title(epoch: int, output: np.ndarray, targets: np.ndarray) -> str:
    """A classifier's title at ``epoch``: its cross-entropy and accuracy, logits (K, N) against
    targets (1, N) of labels, as the training computes them."""
    found = evaluate(CrossEntropyLoss(), output, targets)
    return f"epoch {epoch}: cross-entropy {found['loss']:.3g}, accuracy {found['accuracy']:.0%}"


def map_grid(x: np.ndarray, size: int = MAP_SIZE) -> tuple:
    """The points of the plane the map is drawn at: (2, size * size), row by row from the bottom,
    over the data x (2, N) and a tenth more on each side; and its extent for imshow."""
    low, high = x.min(axis=1), x.max(axis=1)
    margin = 0.1 * (high - low) + 1e-9
    g0, g1 = np.meshgrid(np.linspace(low[0] - margin[0], high[0] + margin[0], size),
                         np.linspace(low[1] - margin[1], high[1] + margin[1], size))
    return np.stack([g0.ravel(), g1.ravel()]), (g0.min(), g0.max(), g1.min(), g1.max())


def map_image(net, grid: np.ndarray) -> np.ndarray:
    """The decision map as an RGB image (size, size, 3): white, tinted by each class's colour as
    deep as its probability at each point of the grid (2, size * size)."""
    size = int(round(np.sqrt(grid.shape[1])))
    with np.errstate(over="ignore"):
        p = class_probabilities(predict(net, grid))                     # (K, G)
    return (1 - 0.55 * (p.T @ (1 - class_colours(net)))).reshape(size, size, 3)


def draw_points(ax, x: np.ndarray, labels: np.ndarray, held_out: np.ndarray, shown: np.ndarray,
                colours: np.ndarray) -> list:
    """The points ``shown`` (indices) of x (2, N) in their class's colour: dots for the ones trained
    on, crosses for the held-out ones (held_out: (N,) bools).  Returns the two scatter artists."""
    drawn = []
    for points, marker in ((~held_out, "o"), (held_out, "x")):
        chosen = shown[points[shown]]
        drawn += [ax.scatter(x[0, chosen], x[1, chosen], s=14, c=colours[labels[chosen] % len(colours)], marker=marker,
                   linewidths=1 if marker == "x" else 0.3, edgecolors="white" if marker == "o" else None)]
    return drawn


def plot_decision(net, x: np.ndarray, labels: np.ndarray, held_out: np.ndarray, accuracy: float) -> Figure:
    """The decision map, as TensorFlow Playground colours it: each class's probability over the input
    plane (colour: the class, depth: its probability), the points in their class's colour, held-out
    ones as crosses, misclassified ones ringed in black.  x: (2, N), labels: (N,) integers."""
    fig = figure(6.5, 6, left=0.11, right=0.97, bottom=0.09, top=0.93)
    ax = fig.add_subplot()
    grid, extent = map_grid(x)
    ax.imshow(map_image(net, grid), origin="lower", aspect="auto", extent=extent)
    colours = class_colours(net)
    with np.errstate(over="ignore"):
        wrong = predicted(predict(net, x)) != labels
    shown = sample(x.shape[1])
    draw_points(ax, x, labels, held_out, shown, colours)
    missed = shown[wrong[shown]]
    ax.scatter(x[0, missed], x[1, missed], s=60, facecolors="none", edgecolors="black", linewidths=1,
               label=f"misclassified ({np.count_nonzero(wrong)})")
    ax.set(xlabel="x0", ylabel="x1", title=f"decision map: accuracy {accuracy:.1%}")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def plot_decision_progress(nets: dict, x: np.ndarray, labels: np.ndarray) -> Figure:
    """A classifier's moments over the plane: one panel per {epoch: net}, its decision map over the
    points, its cross-entropy and accuracy in the title.  x: (2, N), labels: (N,) integers."""
    fig, rows, columns = progress_grid(len(nets), left=0.85)          # ticks like -1.00 are wide
    grid, extent = map_grid(x)
    shown = sample(x.shape[1], 1000)
    for k, (epoch, net) in enumerate(sorted(nets.items())):
        ax = fig.add_subplot(rows, columns, k + 1)
        ax.imshow(map_image(net, grid), origin="lower", aspect="auto", extent=extent)
        draw_points(ax, x, labels, np.zeros(x.shape[1], dtype=bool), shown, class_colours(net))
        with np.errstate(over="ignore"):
            title = class_title(epoch, predict(net, x), labels[None, :].astype(float))
        ax.set(xlabel="x0", ylabel="x1")
        ax.set_title(title, fontsize="medium")
    return fig
