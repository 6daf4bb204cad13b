"""The figures: the final fit, the loss curve, the fit as training goes on, each hidden unit's
share of the output, and the gradients layer by layer (the animation is in animation.py).

Each function returns a plain matplotlib Figure with a fixed layout (see output.figure); x, y and
the predictions are (N,) arrays of one input and one output, drawn from at most output.MAX_POINTS.
"""

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from code.see.explain import hidden_shares
from code.see.output import figure, plain_log_ticks, sample, sorted_sample

ONE_PANEL = {"left": 0.1, "right": 0.97, "bottom": 0.11, "top": 0.92}
TWO_PANELS = {"left": 0.07, "right": 0.98, "bottom": 0.12, "top": 0.91, "wspace": 0.22}


def plot_result(x: np.ndarray, y: np.ndarray, prediction: np.ndarray, mse: float, epoch: int,
                held_out: np.ndarray | None = None) -> Figure:
    """Ground truth and prediction as scatter plots, the final MSE in the title;
    held_out: (N,) True for the points kept out of training, drawn apart."""
    fig = figure(8, 5, **ONE_PANEL)
    ax = fig.add_subplot()
    shown = np.zeros(len(x), dtype=bool)
    shown[sample(len(x))] = True
    held_out = np.zeros(len(x), dtype=bool) if held_out is None else held_out
    ax.scatter(x[shown & ~held_out], y[shown & ~held_out], s=10, label="ground truth (trained on)")
    if held_out.any():
        ax.scatter(x[shown & held_out], y[shown & held_out], s=30, marker="x", color="C3", label="held-out points")
    ax.scatter(x[shown], prediction[shown], s=10, label="prediction")
    ax.set(xlabel="x", ylabel="y", title=f"fit after {epoch} epochs: MSE {mse:.4g}")
    ax.legend(loc="upper right")
    return fig


def plot_predicted_vs_true(y: np.ndarray, prediction: np.ndarray, mse: float, epoch: int) -> Figure:
    """With several inputs there is no x axis to draw: each prediction against its target, and the diagonal."""
    fig = figure(6, 6, **ONE_PANEL)
    ax = fig.add_subplot()
    shown = sample(len(y))
    ax.scatter(y[shown], prediction[shown], s=6)
    low, high = float(min(y.min(), prediction.min())), float(max(y.max(), prediction.max()))
    ax.plot([low, high], [low, high], color="k", linewidth=1, label="prediction = target")
    ax.set(xlabel="target", ylabel="prediction", title=f"fit after {epoch} epochs: MSE {mse:.4g}")
    ax.legend(loc="upper right")
    return fig


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """The mean of each ``window`` consecutive values, (len - window + 1,)."""
    sums = np.cumsum(np.concatenate([[0.0], values]))
    return (sums[window:] - sums[:-window]) / window


def plot_loss(history) -> Figure:
    """Loss of each epoch (MSE over the epoch's batches) on a log scale: the raw curve faint (it
    swings from epoch to epoch with the batches' order), its moving average bold; held-out too.
    Under cross-entropy, the accuracy beside it."""
    classify = "accuracy" in history.columns
    fig = figure(12, 4.5, **TWO_PANELS) if classify else figure(8, 5, **ONE_PANEL)
    ax = fig.add_subplot(1, 2, 1) if classify else fig.add_subplot()
    if classify:
        right = fig.add_subplot(1, 2, 2)
        for name, label in (("accuracy", "training"), ("val_accuracy", "held-out points (validation)")):
            if name in history.columns:
                right.plot(*history.column(name), linewidth=1, label=label)
        right.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title="accuracy per epoch")
        right.grid(True, alpha=0.3)
        right.legend(loc="lower right")
    epochs, losses = history.column("loss")
    window = min(len(losses), 2 * max(1, len(losses) // 2000))        # even: a swing of 2 epochs averages out
    ax.plot(epochs, losses, color="C0", alpha=0.3, linewidth=0.6, label="training, each epoch")
    ax.plot(epochs[window - 1:], moving_average(losses, window), color="C0", linewidth=1.6,
            label=f"training, mean of {window} epochs")
    if "val_loss" in history.columns:
        ax.plot(*history.column("val_loss"), color="C3", linewidth=1, label="held-out points (validation)")
    ax.set(xlabel="epoch", ylabel="loss (cross-entropy)" if classify else "loss (MSE)", yscale="log",
           title="loss per epoch")
    plain_log_ticks(ax.yaxis)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper right")
    return fig


def plot_progress(x: np.ndarray, y: np.ndarray, fits: dict) -> Figure:
    """One panel per {epoch: prediction (N,)}, each over the ground truth."""
    columns = max(1, min(len(fits), 3))
    rows = max(1, -(-len(fits) // columns))
    fig = figure(4.5 * columns, 3.5 * rows, left=0.06, right=0.98, bottom=0.5 / (3.5 * rows),
                 top=1 - 0.35 / (3.5 * rows), wspace=0.28, hspace=0.45)
    shown = sorted_sample(x)
    for k, (epoch, prediction) in enumerate(sorted(fits.items())):
        ax = fig.add_subplot(rows, columns, k + 1)
        ax.scatter(x[shown], y[shown], s=4, label="ground truth")
        ax.plot(x[shown], prediction[shown], color="C1", label="prediction")
        mse = float(np.mean((prediction - y) ** 2))
        ax.set(xlabel="x", ylabel="y", title=f"epoch {epoch}: MSE {mse:.4g}")
        ax.legend(fontsize="small", loc="upper right")
    return fig


def share_colours(weights: np.ndarray) -> np.ndarray:
    """One colour per unit from its output weight W[0, j]: red adds to the output, blue takes away,
    pale for a small weight; units alike in colour are alike in what they do.  (H, 4) RGBA."""
    scale = max(float(np.abs(weights).max()), 1e-12)
    return colormaps["coolwarm"](0.5 + 0.5 * weights / scale)


def plot_hidden(net, x: np.ndarray, y: np.ndarray) -> Figure:
    """How the hidden units add up to the fit: each unit a_j(x), and each share W[0, j] a_j(x) with
    their sum plus the bias (the prediction) over the target."""
    shown = sorted_sample(x)
    x, y = x[shown], y[shown]
    units, shares, bias, _ = hidden_shares(net, x[None, :])                 # (H, n) each
    colours = share_colours(net.linear_list[-1].weight[0])
    fig = figure(12, 4.5, **TWO_PANELS)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for unit, share, colour in zip(units, shares, colours):
        left.plot(x, unit, color=colour, linewidth=1)
        right.plot(x, share, color=colour, linewidth=0.9)
    left.set(xlabel="x", ylabel="a_j(x)", title=f"the {len(units)} units of the last hidden layer "
             "(colour: the sign and size of W[0, j])")
    right.scatter(x, y, s=4, color="0.5", label="target")
    right.plot(x, shares.sum(axis=0) + bias, color="k", linewidth=2, label=f"sum of shares + bias ({bias:.3g})")
    right.set(xlabel="x", ylabel="W[0, j] a_j(x)", title="each unit's share of the output")
    right.legend(fontsize="small", loc="upper right")
    return fig


def plot_gradients(history, hidden_layers: int) -> Figure:
    """Per measured epoch: each layer's ||dW_i|| over all the epoch's points on a log scale, and the
    fraction of saturated values of each hidden layer (from metrics.csv's columns)."""
    fig = figure(12, 4.5, **TWO_PANELS)
    norms, saturation = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for i in range(hidden_layers + 1):
        epochs, values = history.column(f"grad_norm_{i}")
        measured = np.isfinite(values)                                     # the epochs that measure them
        norms.plot(epochs[measured], values[measured], linewidth=0.9, label=f"||dW{i}||")
    for i in range(1, hidden_layers + 1):
        epochs, values = history.column(f"saturated_{i}")
        measured = np.isfinite(values)
        saturation.plot(epochs[measured], values[measured], linewidth=0.9, label=f"hidden layer a[{i}]")
    norms.set(xlabel="epoch", ylabel="norm of the epoch's weight gradient", yscale="log",
              title="gradients, layer by layer (all points)")
    plain_log_ticks(norms.yaxis)
    norms.grid(True, which="major", alpha=0.3)
    norms.legend(fontsize="small", loc="upper right")
    saturation.set(xlabel="epoch", ylabel="fraction of saturated units (all points)", ylim=(-0.02, 1.02),
                   title="saturated units (flat: almost no gradient)")
    saturation.legend(fontsize="small", loc="upper right")
    return fig


def plot_compare(key: str, rows: list) -> Figure:
    """The loss curves of side-by-side runs, log scale, and their final fits over the target.
    rows: [(label, trainer, final MSE on all points or why there is none)]."""
    fig = figure(12, 4.5, **TWO_PANELS)
    curves, fits = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    x, y = rows[0][1].x[0], rows[0][1].y[0]
    shown = sorted_sample(x)
    fits.scatter(x[shown], y[shown], s=4, color="0.6", label="ground truth")
    for k, (label, trainer, mse) in enumerate(rows):
        if trainer.history.epochs:
            epochs, losses = trainer.history.column("loss")
            curves.plot(epochs, np.minimum(losses, 1e12), color=f"C{k}", linewidth=0.8, label=label)
        if isinstance(mse, float):
            fits.plot(x[shown], trainer.predict()[0][shown], color=f"C{k}", label=f"{label}: MSE {mse:.3g}")
    curves.set(xlabel="epoch", ylabel="loss of each epoch (MSE over its batches)", yscale="log",
               title=f"training loss per epoch, by {key}")
    plain_log_ticks(curves.yaxis)
    curves.grid(True, which="major", alpha=0.3)
    curves.legend(fontsize="small", loc="upper right")
    fits.set(xlabel="x", ylabel="y", title="final fits (MSE on all points after training)")
    fits.legend(fontsize="small", loc="upper right")
    return fig
