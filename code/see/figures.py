"""The figures: the final fit, the loss curve, the fit as training goes on, each hidden unit's
share of the output, and the gradients layer by layer (the animation is in animation.py).

Each function returns an explicit matplotlib Figure (never pyplot's implicit
global one); ``save_figure`` writes it, ``show_figures`` opens windows when
there is a display to open them on.
"""

import os
import sys

import numpy as np
from matplotlib.figure import Figure

from code.run.snapshots import unflat
from code.see import animation
from code.see.explain import hidden_shares

NON_INTERACTIVE = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def can_show() -> bool:
    """True when a window can be opened: a display, and an interactive matplotlib backend."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        return False
    import matplotlib
    backend = matplotlib.get_backend().lower()
    return backend not in NON_INTERACTIVE and "inline" not in backend


def new_figure(show: bool, **kwargs) -> Figure:
    """A Figure; made through pyplot only when it is to be shown in a window."""
    if show:
        import matplotlib.pyplot as plt
        return plt.figure(**kwargs)
    return Figure(**kwargs)


def plot_result(x: np.ndarray, y: np.ndarray, prediction: np.ndarray, mse: float, epoch: int,
                show: bool = False, held_out: np.ndarray | None = None) -> Figure:
    """Ground truth and prediction as scatter plots, the final MSE in the title. x, y, prediction: (N,);
    held_out: (N,) True for the points kept out of training, drawn apart."""
    fig = new_figure(show, figsize=(8, 5))
    ax = fig.add_subplot()
    train = np.ones(len(x), dtype=bool) if held_out is None else ~held_out
    ax.scatter(x[train], y[train], s=10, label="ground truth (trained on)")
    if held_out is not None and held_out.any():
        ax.scatter(x[held_out], y[held_out], s=30, marker="x", color="C3", label="held-out points")
    ax.scatter(x, prediction, s=10, label="prediction")
    ax.set(xlabel="x", ylabel="y", title=f"fit after {epoch} epochs: MSE {mse:.4g}")
    ax.legend()
    return fig


def plot_predicted_vs_true(y: np.ndarray, prediction: np.ndarray, mse: float, epoch: int,
                           show: bool = False) -> Figure:
    """With several inputs there is no x axis to draw: each prediction against its target, and the diagonal."""
    fig = new_figure(show, figsize=(6, 6))
    ax = fig.add_subplot()
    ax.scatter(y, prediction, s=6)
    low, high = float(min(y.min(), prediction.min())), float(max(y.max(), prediction.max()))
    ax.plot([low, high], [low, high], color="k", linewidth=1, label="prediction = target")
    ax.set(xlabel="target", ylabel="prediction", title=f"fit after {epoch} epochs: MSE {mse:.4g}")
    ax.legend()
    return fig


def plot_loss(history, show: bool = False) -> Figure:
    """Loss of each epoch (MSE over the epoch's batches) on a log scale, and the held-out points' if any."""
    fig = new_figure(show, figsize=(8, 5))
    ax = fig.add_subplot()
    ax.plot(*history.column("loss"), label="training")
    validation = "val_loss" in history.columns
    if validation:
        ax.plot(*history.column("val_loss"), label="held-out points (validation)")
        ax.legend()
    ax.set(xlabel="epoch", ylabel="loss (MSE)" if validation else "training loss (MSE)", yscale="log",
           title="loss per epoch")
    ax.grid(True, which="both", alpha=0.3)
    return fig


def plot_progress(x: np.ndarray, y: np.ndarray, fits: dict, show: bool = False) -> Figure:
    """One panel per {epoch: prediction (N,)}, each over the ground truth."""
    columns = max(1, min(len(fits), 3))
    rows = max(1, -(-len(fits) // columns))
    fig = new_figure(show, figsize=(4.5 * columns, 3.5 * rows))
    for k, (epoch, prediction) in enumerate(sorted(fits.items())):
        ax = fig.add_subplot(rows, columns, k + 1)
        ax.scatter(x, y, s=4, label="ground truth")
        ax.plot(x, prediction, color="C1", label="prediction")
        mse = float(np.mean((prediction - y) ** 2))
        ax.set(xlabel="x", ylabel="y", title=f"epoch {epoch}: MSE {mse:.4g}")
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_hidden(net, x: np.ndarray, y: np.ndarray, show: bool = False) -> Figure:
    """How the hidden units add up to the fit: each unit a_j(x), and each share W[0, j] a_j(x) with
    their sum plus the bias (the prediction) over the target.  x, y: (N,), one input and one output."""
    units, shares, bias, _ = hidden_shares(net, x[None, :])
    fig = new_figure(show, figsize=(12, 4.5))
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    left.plot(x, units.T, linewidth=1)
    left.set(xlabel="x", ylabel="a_j(x)", title=f"the {len(units)} units of the last hidden layer")
    right.plot(x, shares.T, linewidth=0.8, alpha=0.7)
    right.scatter(x, y, s=4, color="0.5", label="target")
    right.plot(x, shares.sum(axis=0) + bias, color="k", linewidth=2, label=f"sum of shares + bias ({bias:.3g})")
    right.set(xlabel="x", ylabel="W[0, j] a_j(x)", title="each unit's share of the output")
    right.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_gradients(history, hidden_layers: int, show: bool = False) -> Figure:
    """Per epoch: each layer's ||dW_i|| on a log scale, and the fraction of saturated units of each
    hidden layer (from metrics.csv's columns)."""
    fig = new_figure(show, figsize=(12, 4.5))
    norms, saturation = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for i in range(hidden_layers + 1):
        norms.plot(*history.column(f"grad_norm_{i}"), linewidth=0.8, label=f"||dW{i}||")
    for i in range(1, hidden_layers + 1):
        saturation.plot(*history.column(f"saturated_{i}"), linewidth=0.8, label=f"hidden layer a[{i}]")
    norms.set(xlabel="epoch", ylabel="norm of the weight gradient (last batch)", yscale="log",
              title="gradients, layer by layer")
    norms.grid(True, which="both", alpha=0.3)
    norms.legend(fontsize="small")
    saturation.set(xlabel="epoch", ylabel="fraction of saturated units (last batch)", ylim=(-0.02, 1.02),
                   title="saturated units (flat: almost no gradient)")
    saturation.legend(fontsize="small")
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: str) -> str:
    """fig -> path, creating a missing folder; returns the file written (a path with no
    extension gets ".png", as matplotlib does).  OSError "cannot write figure ..." if it fails."""
    written = path if os.path.splitext(path)[1] else path + ".png"
    try:
        os.makedirs(os.path.dirname(os.path.abspath(written)), exist_ok=True)
        fig.savefig(written, dpi=100)
    except OSError as error:
        raise OSError(f"cannot write figure {written}: {error.strerror or error}") from None
    return written


def progress_fits(trainer, final: np.ndarray) -> dict:
    """{epoch: fit (N,)} of the snapshots kept and the final fit; says which are missing."""
    fits = {e: trainer.predict(params=unflat(p, trainer.cfg.layers_dim))[0] for e, p in trainer.snapshots.items()
            if e in trainer.cfg.progress_epochs}
    fits[trainer.epoch] = final
    missing = [e for e in trainer.cfg.progress_epochs if e <= trainer.epoch and e not in fits]
    if missing:
        print(f"progress figure: no snapshot of epoch(s) {', '.join(map(str, missing))} "
              "(the run that wrote the checkpoint did not record them)")
    return fits


def draw_figures(trainer, prediction: np.ndarray, mse: float) -> None:
    """Draw, save and maybe show every figure of a trained ``trainer``; prediction: (out, N)."""
    cfg = trainer.cfg
    x, y, final = trainer.x[0], trainer.y[0], prediction[0]          # (N,): the first input and output
    show = cfg.show and can_show()
    one_input = trainer.x.shape[0] == 1
    if one_input:
        figures = [(plot_result(x, y, final, mse, trainer.epoch, show, trainer.held_out), cfg.result_img_path)]
    else:
        figures = [(plot_predicted_vs_true(y, final, mse, trainer.epoch, show), cfg.result_img_path)]
    if trainer.history.epochs:
        figures.append((plot_loss(trainer.history, show), cfg.loss_img_path))
    hidden_layers = len(trainer.net.linear_list) - 1
    if one_input:
        figures.append((plot_progress(x, y, progress_fits(trainer, final), show), cfg.progress_img_path))
    if one_input and hidden_layers:
        figures.append((plot_hidden(trainer.net, x, y, show), cfg.hidden_img_path))
    else:
        print("progress and hidden figures: skipped (they draw the fit over one input; this data has "
              f"{trainer.x.shape[0]}, or the net has no hidden layer)")
    if trainer.history.epochs and hidden_layers:
        figures.append((plot_gradients(trainer.history, hidden_layers, show), cfg.gradients_img_path))
    written = [save_figure(fig, path) for fig, path in figures]
    if cfg.animation_path:
        written.append(animation.write_animation(trainer, cfg.animation_path, cfg.animation_frames))
    print("figures saved: " + ", ".join(written))
    if show:
        show_figures()


def show_figures() -> None:
    """Open the figures made with show=True and wait until their windows are closed."""
    import matplotlib.pyplot as plt
    plt.show()


def plot_compare(key: str, rows: list) -> Figure:
    """The loss curves of side-by-side runs, log scale, and their final fits over the target.
    rows: [(label, trainer, final MSE or why there is none)]."""
    fig = Figure(figsize=(12, 4.5))
    curves, fits = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    x, y = rows[0][1].x[0], rows[0][1].y[0]
    fits.scatter(x, y, s=4, color="0.6", label="ground truth")
    for k, (label, trainer, mse) in enumerate(rows):
        if trainer.history.epochs:
            epochs, losses = trainer.history.column("loss")
            curves.plot(epochs, np.minimum(losses, 1e12), color=f"C{k}", label=label)   # a diverged run: clipped
        if isinstance(mse, float):
            fits.plot(x, trainer.predict()[0], color=f"C{k}", label=f"{label}: MSE {mse:.3g}")
    curves.set(xlabel="epoch", ylabel="training loss (MSE)", yscale="log", title=f"loss per epoch, by {key}")
    curves.grid(True, which="both", alpha=0.3)
    curves.legend(fontsize="small")
    fits.set(xlabel="x", ylabel="y", title="final fits")
    fits.legend(fontsize="small")
    fig.tight_layout()
    return fig
