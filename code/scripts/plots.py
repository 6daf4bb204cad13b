"""The figures: the final fit, the loss curve and the fit as training goes on.

Each function returns an explicit matplotlib Figure (never pyplot's implicit
global one); ``save_figure`` writes it, ``show_figures`` opens windows when
there is a display to open them on.
"""

import os
import sys

import numpy as np
from matplotlib.figure import Figure

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
                show: bool = False) -> Figure:
    """Ground truth and prediction as scatter plots, the final MSE in the title. x, y, prediction: (N,)."""
    fig = new_figure(show, figsize=(8, 5))
    ax = fig.add_subplot()
    ax.scatter(x, y, s=10, label="ground truth")
    ax.scatter(x, prediction, s=10, label="prediction")
    ax.set(xlabel="x", ylabel="y", title=f"fit after {epoch} epochs: MSE {mse:.4g}")
    ax.legend()
    return fig


def plot_loss(loss_history: np.ndarray, show: bool = False) -> Figure:
    """Loss of each epoch (MSE over the epoch's batches) on a log scale."""
    fig = new_figure(show, figsize=(8, 5))
    ax = fig.add_subplot()
    epochs = np.arange(1, len(loss_history) + 1)
    ax.plot(epochs, loss_history)
    ax.set(xlabel="epoch", ylabel="training loss (MSE)", yscale="log", title="loss per epoch")
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


def save_figure(fig: Figure, path: str) -> None:
    """fig -> path (a PNG), creating a missing folder; OSError "cannot write figure ..." if it fails."""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        fig.savefig(path, dpi=100)
    except OSError as error:
        raise OSError(f"cannot write figure {path}: {error.strerror or error}") from None


def show_figures() -> None:
    """Open the figures made with show=True and wait until their windows are closed."""
    import matplotlib.pyplot as plt
    plt.show()
