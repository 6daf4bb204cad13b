"""Writing and showing figures: each file written whole or not at all, figures drawn from a bounded
number of points, one window on a desktop, the figures in the cell in a notebook.

Figures are plain ``matplotlib.figure.Figure`` objects (never pyplot's global one): drawing them
needs no display, and a headless machine neither blocks nor warns.
"""

import io
import os
import sys

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from code.run.atomic import with_extension, write_atomically

# Titles at a fixed height: left to itself matplotlib measures every tick label at every drawing
# to lift a title clear of them (a quarter of all the drawing time of a run's figures).
STYLE = {"axes.titley": 1.0}
MAX_POINTS = 4000                  # points a figure draws at most: evenly spaced ones beyond that
NON_INTERACTIVE = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def sample(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``limit`` of n points, evenly spaced, first and last kept: the same
    picture to the eye, at a cost that does not grow with the data."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def sorted_sample(x: np.ndarray, limit: int = MAX_POINTS) -> np.ndarray:
    """sample()'s indices, in the order of x (N,): for lines drawn over x."""
    shown = sample(len(x), limit)
    return shown[np.argsort(x[shown], kind="stable")]


def figure(width: float, height: float, **margins) -> Figure:
    """A Figure of width x height inches with fixed margins (fractions, as subplots_adjust takes
    them): laid out once, not measured at every save as tight_layout would."""
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(**margins)
    return fig


def plain_log_ticks(*axes) -> None:
    """Log-scale axes labelled 0.1, 1, 10 (not 10^-1 typeset as math, which costs a parser's time)
    and without minor ticks (a drawing's tick work halves)."""
    for axis in axes:
        axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axis.set_minor_locator(NullLocator())


def save_figure(fig: Figure, path: str) -> str:
    """fig -> path (".png" added when it has no extension), atomically; returns the file written."""
    written = with_extension(path, ".png")
    extension = os.path.splitext(written)[1][1:].lower()
    options = {"pil_kwargs": {"compress_level": 1}} if extension == "png" else {}   # fast, a little larger
    write_atomically(written, lambda f: fig.savefig(f, format=extension, dpi=100, **options), "figure")
    return written


def display_kind() -> str:
    """"window" on a desktop with an interactive backend, "inline" in a notebook, "" otherwise."""
    import matplotlib
    backend = matplotlib.get_backend().lower()
    if "inline" in backend:
        return "inline"
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return ""
    return "" if backend in NON_INTERACTIVE else "window"


def can_show() -> bool:
    """True when a window can be opened: a display, and an interactive matplotlib backend."""
    return display_kind() == "window"


def show(figures: list, files: list) -> None:
    """Inline: each Figure in the notebook's cell.  Desktop: one window holding every saved PNG as a
    panel (not one window per figure), open until it is closed."""
    kind = display_kind()
    if kind == "inline":                                      # each figure's PNG in the cell
        from IPython.display import Image, display
        for fig, path in zip(figures, files):
            if path.lower().endswith(".png"):
                display(Image(filename=path))                 # the file just written
            else:                                             # a PDF or SVG: a PNG of it, for the cell
                buffer = io.BytesIO()
                fig.savefig(buffer, format="png", dpi=100)
                display(Image(data=buffer.getvalue()))
    elif kind == "window":
        import matplotlib.image
        import matplotlib.pyplot as plt
        pictures = [path for path in files if path.lower().endswith(".png")]
        columns = min(3, len(pictures))
        rows = -(-len(pictures) // columns)
        window, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.3 * rows), squeeze=False,
                                    num="HJLNet: the figures of this run")
        for ax, path in zip(axes.flat, pictures):
            ax.imshow(matplotlib.image.imread(path))
            ax.set_title(os.path.basename(path), fontsize="small")
        for ax in axes.flat:
            ax.axis("off")
        window.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.95, wspace=0.02, hspace=0.1)
        plt.show()
