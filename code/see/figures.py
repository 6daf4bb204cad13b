"""The figures: the final fit, the loss curve, the fit as training goes on, each hidden unit's
share of the output, and the gradients layer by layer (the animation is in animation.py).

Each function returns a plain matplotlib Figure with a fixed layout (see output.figure); x, y and
the predictions are (N,) arrays of one input and one output, drawn from at most output.MAX_POINTS.
"""

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from code.lib.Loss import classifies, loss_name
from code.see.explain import hidden_shares
from code.see.maps import CLASS_COLOURS, class_probabilities, class_title
from code.see.output import figure, plain_log_ticks, progress_grid, sample, sorted_sample

ONE_PANEL = {"left": 0.1, "right": 0.97, "bottom": 0.11, "top": 0.92}
TWO_PANELS = {"left": 0.07, "right": 0.98, "bottom": 0.12, "top": 0.91, "wspace": 0.22}


def mse_text(y: np.ndarray, prediction: np.ndarray, held_out: np.ndarray | None, digits: int = 4) -> str:
    """'MSE 0.1553' over all N points (y, prediction: (N,)); with held-out points, the two MSEs the
    test and validation lines print, on the training points first: 'MSE 4.252, held out 4.341'."""
    squares = (prediction - y) ** 2                                      # (N,)
    if held_out is None or not held_out.any():
        return f"MSE {float(np.mean(squares)):.{digits}g}"
    trained, held = float(np.mean(squares[~held_out])), float(np.mean(squares[held_out]))
    return f"MSE {trained:.{digits}g}, held out {held:.{digits}g}"


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
    shown_mse = mse_text(y, prediction, held_out) if held_out.any() else f"MSE {mse:.4g}"   # as the test line
    ax.set(xlabel="x", ylabel="y", title=f"fit after {epoch} epochs: {shown_mse}")
    ax.legend(loc="upper right")
    return fig


def draw_classes(ax, x: np.ndarray, labels: np.ndarray, output: np.ndarray, shown: np.ndarray,
                 held_out: np.ndarray | None = None) -> None:
    """Each class's probability over x (one line a class, softmax of the output), and the points as
    a strip above them in their class's colour (held-out ones as crosses).  x, labels: (N,),
    output: (K, N), shown: indices sorted by x."""
    p = class_probabilities(output)
    colours = CLASS_COLOURS[np.arange(len(p)) % len(CLASS_COLOURS)]
    for k, colour in enumerate(colours):
        ax.plot(x[shown], p[k, shown], color=colour, linewidth=1.6, label=f"p(class {k} | x)")
    held_out = np.zeros(len(x), dtype=bool) if held_out is None else held_out
    for points, marker, height in ((~held_out, "|", 1.08), (held_out, "x", 1.16)):
        chosen = shown[points[shown]]
        ax.scatter(x[chosen], np.full(len(chosen), height), s=18, marker=marker, linewidths=1,
                   c=colours[labels[chosen] % len(colours)])
    ax.set(ylim=(-0.03, 1.22), yticks=[0, 0.25, 0.5, 0.75, 1], xlabel="x", ylabel="probability (softmax of the output)")


def plot_class_result(x: np.ndarray, labels: np.ndarray, output: np.ndarray, found: dict, epoch: int,
                      held_out: np.ndarray | None = None) -> Figure:
    """A classifier of one input: each class's probability over x and the labelled points above
    them; cross-entropy and accuracy in the title.  x, labels: (N,), output: (K, N) logits."""
    fig = figure(9, 5, left=0.09, right=0.8, bottom=0.11, top=0.92)
    ax = fig.add_subplot()
    draw_classes(ax, x, labels, output, sorted_sample(x), held_out)
    ax.set_title(f"after {epoch} epochs: cross-entropy {found['loss']:.4g}, accuracy {found['accuracy']:.1%}")
    handles = ax.get_legend_handles_labels()
    note = "points: their class's colour\n(| trained on, x held out)"
    fig.legend(*handles, loc="upper left", bbox_to_anchor=(0.81, 0.92), fontsize="small", title=note,
               title_fontsize="small", frameon=False)
    return fig


def plot_class_progress(x: np.ndarray, labels: np.ndarray, outputs: dict) -> Figure:
    """A classifier's moments: one panel per {epoch: logits (K, N)}, the class probabilities over x."""
    fig, rows, columns = progress_grid(len(outputs))
    shown = sorted_sample(x)
    for k, (epoch, output) in enumerate(sorted(outputs.items())):
        ax = fig.add_subplot(rows, columns, k + 1)
        draw_classes(ax, x, labels, output, shown)
        ax.set_title(class_title(epoch, output, labels[None, :].astype(float)), fontsize="medium")
    handles = fig.axes[0].get_legend_handles_labels()
    fig.legend(*handles, loc="upper center", ncol=len(handles[0]), frameon=False)
    return fig


def plot_predicted_vs_true(y: np.ndarray, prediction: np.ndarray, mse: float, epoch: int) -> Figure:
    """With several inputs there is no x axis to draw: each prediction against its target, and the diagonal."""
    fig = figure(6, 6, **{**ONE_PANEL, "left": 0.15})               # room for the y label's tick values
    ax = fig.add_subplot()
    shown = sample(len(y))
    ax.scatter(y[shown], prediction[shown], s=6)
    low, high = float(min(y.min(), prediction.min())), float(max(y.max(), prediction.max()))
    ax.plot([low, high], [low, high], color="k", linewidth=1, label="prediction = target")
    ax.set(xlabel="target", ylabel="prediction", title=f"fit after {epoch} epochs: MSE {mse:.4g}")
    ax.legend(loc="upper left")                                       # off the diagonal, where no point lies
    return fig


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """The mean of each ``window`` consecutive values, (len - window + 1,)."""
    sums = np.cumsum(np.concatenate([[0.0], values]))
    return (sums[window:] - sums[:-window]) / window


def smoothing_window(count: int) -> int:
    """How many epochs a moving average takes: even (a swing of 2 epochs averages out), about 1/1000 of the run."""
    return min(count, 2 * max(1, count // 2000))


def plot_smoothed(ax, epochs: np.ndarray, values: np.ndarray, colour: str, name: str) -> None:
    """A curve of (E,) values drawn twice: raw and faint (it swings from epoch to epoch with the
    batches' order), and its moving average bold, labelled from ``name``."""
    window = smoothing_window(len(values))
    ax.plot(epochs, values, color=colour, alpha=0.3, linewidth=0.6, label=f"{name}, each epoch")
    ax.plot(epochs[window - 1:], moving_average(values, window), color=colour, linewidth=1.6,
            label=f"{name}, mean of {window} epochs")


def plot_loss(history, note: str = "", measure: str = "cross-entropy") -> Figure:
    """Loss of each epoch (MSE over the epoch's batches) on a log scale, training and held-out
    alike: the raw curve faint, its moving average bold.  For a classifier, the accuracy beside
    it, and ``measure`` names its loss (cross-entropy or quadratic cost).  ``note``: a sentence
    under the figure (what a spike is, for Adam)."""
    classify = "accuracy" in history.columns
    fig = figure(12, 4.5, **TWO_PANELS) if classify else figure(8, 5, **ONE_PANEL)
    ax = fig.add_subplot(1, 2, 1) if classify else fig.add_subplot()
    if classify:
        plot_accuracy(fig.add_subplot(1, 2, 2), history)
    plot_smoothed(ax, *history.column("loss"), "C0", "training")
    if "val_loss" in history.columns:
        plot_smoothed(ax, *history.column("val_loss"), "C3", "held-out points (validation)")
    ax.set(xlabel="epoch", ylabel=f"loss ({measure})" if classify else "loss (MSE)", yscale="log",
           title=f"{measure} per epoch" if classify else "loss per epoch")
    plain_log_ticks(ax.yaxis)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper right", fontsize="small")
    if note:
        fig.subplots_adjust(bottom=0.2 if classify else 0.25)            # the note's lines under the x label
        fig.text(0.5, 0.015, note, ha="center", va="bottom", fontsize="small", wrap=True)
    return fig


def plot_accuracy(ax, history) -> None:
    """The accuracy of each epoch, training and held-out, both smoothed as the loss is."""
    for name, label, colour in (("accuracy", "training", "C0"), ("val_accuracy", "held-out points", "C3")):
        if name in history.columns:
            plot_smoothed(ax, *history.column(name), colour, label)
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title="accuracy per epoch")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")


ADAM_NOTE = ("Spikes: Adam steps about learning_rate whatever the gradient's size (m / sqrt(v)). Near a minimum "
             "such a step overshoots and the loss jumps. The large gradient raises v, the steps shrink and the loss "
             "falls back. v forgets in about 1 / (1 - beta2) updates, so the spikes repeat.")


def plot_progress(x: np.ndarray, y: np.ndarray, fits: dict, held_out: np.ndarray | None = None) -> Figure:
    """One panel per {epoch: prediction (N,)}, each over the ground truth; one legend above them all;
    held_out: (N,) True for the points kept out of training (their MSE is given apart)."""
    fig, rows, columns = progress_grid(len(fits))
    shown = sorted_sample(x)
    digits = 3 if held_out is not None and held_out.any() else 4        # two MSEs fit a panel's title in 3
    for k, (epoch, prediction) in enumerate(sorted(fits.items())):
        ax = fig.add_subplot(rows, columns, k + 1)
        ax.scatter(x[shown], y[shown], s=4, label="ground truth")
        ax.plot(x[shown], prediction[shown], color="C1", label="prediction")
        ax.set(xlabel="x", ylabel="y", title=f"epoch {epoch}: {mse_text(y, prediction, held_out, digits)}")
    fig.legend(*fig.axes[0].get_legend_handles_labels(), loc="upper center", ncol=2, frameon=False)
    return fig


def share_colours(weights: np.ndarray) -> np.ndarray:
    """One colour per unit from its output weight W[0, j]: red adds to the output, blue takes away,
    pale for a small weight; units alike in colour are alike in what they do.  (H, 4) RGBA."""
    scale = max(float(np.abs(weights).max()), 1e-12)
    return colormaps["coolwarm"](0.5 + 0.5 * weights / scale)


def share_colour_bar(fig: Figure, weights: np.ndarray, rect: tuple) -> None:
    """The scale of share_colours: a colour bar from -max |W[0, j]| to +max |W[0, j]| at ``rect``."""
    scale = max(float(np.abs(weights).max()), 1e-12)
    mappable = ScalarMappable(norm=Normalize(-scale, scale), cmap=colormaps["coolwarm"])
    bar = fig.colorbar(mappable, cax=fig.add_axes(rect))
    bar.set_label("W[0, j], the unit's output weight")


def plot_hidden(net, x: np.ndarray, y: np.ndarray, classify: bool = False) -> Figure:
    """How the hidden units add up to the output: each unit a_j(x), and each share W[0, j] a_j(x)
    with their sum plus the bias: the prediction over the target, or a classifier's logit z0."""
    shown = sorted_sample(x)
    x, y = x[shown], y[shown]
    units, shares, bias, _ = hidden_shares(net, x[None, :])                 # (H, n) each
    weights = net.linear_list[-1].weight[0]
    fig = figure(12, 4.8, **{**TWO_PANELS, "right": 0.9, "bottom": 0.2, "top": 0.92})
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for unit, share, colour in zip(units, shares, share_colours(weights)):
        left.plot(x, unit, color=colour, linewidth=1)
        right.plot(x, share, color=colour, linewidth=0.9)
    share_colour_bar(fig, weights, (0.915, 0.2, 0.012, 0.72))
    left.set(xlabel="x", ylabel="a_j(x)", title=f"the {len(units)} units of the last hidden layer "
             "(colour: W[0, j])")
    output = "logit z0" if classify else "the output"
    if not classify:
        right.scatter(x, y, s=4, color="0.5", label="target")
    right.plot(x, shares.sum(axis=0) + bias, color="k", linewidth=2,
               label=f"sum of shares + bias ({bias:.3g}){': z0' if classify else ''}")
    right.set(xlabel="x", ylabel="W[0, j] a_j(x)", title=f"each unit's share of {output}")
    right.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    return fig


def plot_gradients(history, hidden_layers: int) -> Figure:
    """Per measured epoch: each layer's ||dW_i|| over all the epoch's points on a log scale, and the
    fraction of saturated values of each hidden layer (from metrics.csv's columns)."""
    fig = figure(12, 4.8, **{**TWO_PANELS, "bottom": 0.2})               # room for the legends under the panels
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
    legend_below(norms, hidden_layers + 1)
    saturation.set(xlabel="epoch", ylabel="fraction of saturated units (all points)", ylim=(-0.02, 1.02),
                   title="saturated units (flat: almost no gradient)")
    legend_below(saturation, hidden_layers)
    return fig


def legend_below(ax, entries: int) -> None:
    """The legend in one row under the x label, never over the curves."""
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=max(entries, 1),
              frameon=False)


def plot_compare(key: str, rows: list) -> Figure:
    """The loss curves of side-by-side runs, log scale, and their final fits over the target; for
    classifiers their accuracy per epoch in place of the fits.
    rows: [(label, trainer, final loss on all points or why there is none)]."""
    classify = classifies(rows[0][1].net.loss)
    fig = figure(12, 4.8, **{**TWO_PANELS, "bottom": 0.2 if any(is_adam(row) for row in rows) else 0.12})
    curves, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for k, (label, trainer, _) in enumerate(rows):
        if trainer.history.epochs:
            epochs, losses = trainer.history.column("loss")
            curves.plot(epochs, np.minimum(losses, 1e12), color=f"C{k}", linewidth=0.8, label=label)
    measure = shared_loss_name([trainer.net.loss for _, trainer, _ in rows])
    over = "each run's own, over its batches" if measure == "loss" else f"{measure} over its batches"
    curves.set(xlabel="epoch", ylabel=f"loss of each epoch ({over})", yscale="log",
               title=f"training {measure} per epoch, by {key}")
    plain_log_ticks(curves.yaxis)
    curves.grid(True, which="major", alpha=0.3)
    curves.legend(fontsize="small", loc="best")                      # where the curves leave room
    (compare_accuracy if classify else compare_fits)(right, rows)
    if any(is_adam(row) for row in rows):
        fig.text(0.5, 0.015, ADAM_NOTE, ha="center", va="bottom", fontsize="small", wrap=True)
    return fig


def shared_loss_name(losses: list) -> str:
    """What the runs' loss curves measure: their loss_name, or "loss" for a mix."""
    names = {loss_name(loss) for loss in losses}
    return names.pop() if len(names) == 1 else "loss"


def is_adam(row: tuple) -> bool:
    return row[1].cfg.optimizer == "adam"


def compare_fits(ax, rows: list) -> None:
    """Each run's final fit over the target (one input's x), its MSE on all points in the legend."""
    x, y = rows[0][1].x[0], rows[0][1].y[0]
    shown = sorted_sample(x)
    ax.scatter(x[shown], y[shown], s=4, color="0.6", label="ground truth")
    for k, (label, trainer, mse) in enumerate(rows):
        if isinstance(mse, float):
            ax.plot(x[shown], trainer.predict()[0][shown], color=f"C{k}", label=f"{label}: MSE {mse:.3g}")
    ax.set(xlabel="x", ylabel="y", title="final fits (MSE on all points after training)")
    legend_above_the_data(ax, len(rows) + 1)


def legend_above_the_data(ax, entries: int, columns: int = 2) -> None:
    """The legend in room made for it above the curves: the y axis grows by a band per legend row."""
    bottom, top = ax.get_ylim()
    rows = -(-entries // columns)                                  # ceil(entries / columns)
    ax.set_ylim(bottom, top + 0.11 * rows * (top - bottom))
    ax.legend(fontsize="small", loc="upper center", ncol=columns)


def compare_accuracy(ax, rows: list) -> None:
    """Each classifier's accuracy per epoch (smoothed as loss.png's), its accuracy on all points at
    the end in the legend."""
    for k, (label, trainer, loss) in enumerate(rows):
        if trainer.history.epochs and isinstance(loss, float):
            epochs, values = trainer.history.column("accuracy")
            window = smoothing_window(len(values))
            ax.plot(epochs[window - 1:], moving_average(values, window), color=f"C{k}", linewidth=1.2,
                    label=f"{label}: accuracy {trainer.scores()['accuracy']:.1%}")
            if trainer.validating:                                  # held-out points: dashed
                _, held = trainer.history.column("val_accuracy")
                ax.plot(epochs[window - 1:], moving_average(held, window), color=f"C{k}", linewidth=1.2, linestyle="--")
    held_out = any(trainer.validating for _, trainer, _ in rows)
    ax.set(xlabel="epoch", ylabel="accuracy (mean of a few epochs)", ylim=(0, 1.02),
           title="accuracy per epoch" + (" (dashed: held out)" if held_out else " (legend: at the end)"))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
