"""Writing and showing figures: each file written whole or not at all, figures drawn from a bounded
number of points, each in a window of its own on a desktop, the figures in the cell in a notebook.

Figures are plain ``matplotlib.figure.Figure`` objects (never pyplot's global one): drawing them
needs no display, and a headless machine neither blocks nor warns.
"""

import io
import os
import sys

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, Locator, NullLocator

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


class ReadableLogLocator(Locator):
    """Ticks of a log axis, at least three in view: the decades 1, 10, 100; when fewer than three
    fall in view, 1, 2 and 5 of each decade; then every digit; then three spread over the view."""

    def __call__(self) -> list:
        low, high = sorted(self.axis.get_view_interval())
        return self.tick_values(low, high)

    def tick_values(self, low: float, high: float) -> list:
        low, high = max(low, 1e-300), max(high, 1e-300)
        first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
        for subs in ((1,), (1, 2, 5), range(1, 10)):
            ticks = [s * 10.0**e for e in range(first, last + 1) for s in subs]
            inside = [t for t in ticks if low <= t * (1 + 1e-9) and t <= high * (1 + 1e-9)]
            if len(inside) >= 3:
                return inside[:: -(-len(inside) // 9)]         # at most about nine labels
        spread = np.geomspace(low, high, 5)[1:4]
        for digits in (2, 3, 4, 6):                          # the fewest digits that keep three apart
            rounded = sorted({float(f"{t:.{digits}g}") for t in spread})
            if len(rounded) == 3:
                return rounded
        return list(spread)


def progress_grid(panels: int, left: float = 0.65) -> tuple:
    """(figure, rows, columns) for ``panels`` panels of 4.5 x 3.5 inches, three a row, with room
    above them for one legend and ``left`` inches to the left for the y label and its ticks."""
    columns = max(1, min(panels, 3))
    rows = max(1, -(-panels // columns))
    width, height = 4.5 * columns, 3.5 * rows + 0.4
    fig = figure(width, height, left=left / width, right=1 - 0.15 / width, bottom=0.5 / height,
                 top=1 - 0.75 / height, wspace=0.28, hspace=0.45)
    return fig, rows, columns


def plain_log_ticks(*axes) -> None:
    """Log-scale axes labelled 0.1, 1, 10 (not 10^-1 typeset as math, which costs a parser's time),
    at least three labels in view (ReadableLogLocator) and no minor ticks (a drawing's tick work halves)."""
    for axis in axes:
        axis.set_major_locator(ReadableLogLocator())
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
    """Inline: each Figure in the notebook's cell.  Desktop: each saved PNG in a window of its own,
    at its own size, open until they are closed."""
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
        import matplotlib.pyplot as plt
        for path in files:
            if path.lower().endswith(".png"):
                picture_window(plt, path)
        plt.show()


def picture_window(plt, path: str, dpi: float = 100) -> None:
    """One window of its own for the PNG at ``path``, at its own size (one pixel of the file to one
    of the screen): text as large as in the file, not shrunk into a tile."""
    import matplotlib.image
    picture = matplotlib.image.imread(path)                   # (height, width, channels)
    height, width = picture.shape[:2]
    window = plt.figure(f"HJLNet: {os.path.basename(path)}", figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = window.add_axes((0, 0, 1, 1))
    ax.imshow(picture, interpolation="none")
    ax.axis("off")
