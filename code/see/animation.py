"""The training as an animated GIF: the fit, each hidden unit's share and the loss curve, frame by frame.

The frames are epochs spaced on a log scale (early epochs change the most):
training keeps the parameters at a fixed grid of epochs, 20 per decade (like the
progress snapshots, they are in the checkpoint and survive resume), and the
animation takes ``animation_frames`` of them, the last frame being the end.
The figure is drawn once; each frame redraws only what moves (blitting), and
Pillow (which comes with matplotlib) writes the GIF.
"""

import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from code.run.snapshots import flat, log_grid, unflat
from code.scripts.network import network
from code.see.explain import hidden_shares


def frame_epochs(available: list, frames: int) -> list:
    """``frames`` of the ``available`` epochs (sorted), evenly by rank: log-spaced, first and last kept."""
    if len(available) <= frames:
        return list(available)
    ranks = np.linspace(0, len(available) - 1, frames).round().astype(int)
    return [available[r] for r in ranks]


def _frames(trainer, frames: int) -> list:
    """(epoch, parameters) of the frames: kept snapshots of the grid and the current parameters."""
    wanted = log_grid(trainer.epoch)
    grid = [e for e in wanted if e in trainer.snapshots]
    kept = [(e, trainer.snapshots[e]) for e in frame_epochs(grid, max(frames - 1, 1)) if e != trainer.epoch]
    missing = len(wanted) - len(grid)
    if missing:
        print(f"animation: {missing} snapshot(s) missing (the run that wrote the checkpoint did not record them)")
    return kept + [(trainer.epoch, flat(trainer.net.parameters()))]


class _Artists:
    """The figure, drawn once, and the artists every frame redraws: fit, shares, their sum, the title,
    the loss marker (blitting: the rest of the figure is restored from the first drawing)."""

    def __init__(self, trainer, units: int):
        x, y = trainer.x[0], trainer.y[0]
        self.fig = Figure(figsize=(13, 4), dpi=60)
        self.canvas = FigureCanvasAgg(self.fig)
        fit_ax, share_ax, loss_ax = (self.fig.add_subplot(1, 3, k) for k in (1, 2, 3))
        fit_ax.scatter(x, y, s=3, color="0.6")
        (self.fit,) = fit_ax.plot(x, np.zeros_like(x), color="C1")
        self.shares = share_ax.plot(x, np.zeros((len(x), units)), linewidth=0.7, alpha=0.7)
        (self.total,) = share_ax.plot(x, np.zeros_like(x), color="k", linewidth=1.5)
        span = 1.5 * max(np.abs(y).max(), 1e-9)
        fit_ax.set(ylim=(-span, span), xlabel="x", ylabel="y", title="the fit at epoch 0000000: MSE 0.000")
        share_ax.set(ylim=(-2 * span, 2 * span), xlabel="x", title="each unit's share W[0, j] a_j(x)")
        epochs, losses = trainer.history.column("loss")
        shown = np.unique(np.geomspace(1, max(len(epochs), 1), 400).astype(int)) - 1   # 400 points drawn
        loss_ax.plot(epochs[shown], losses[shown], color="C0", linewidth=0.8)
        loss_ax.set(xscale="log", yscale="log", xlabel="epoch", title="training loss")
        (self.marker,) = loss_ax.plot([], [], "o", color="C3")
        self.losses = dict(zip(epochs.tolist(), losses.tolist()))
        self.title = fit_ax.title
        self.moving = [self.fit, *self.shares, self.total, self.marker, self.title]
        self.fig.tight_layout()
        for artist in self.moving:
            artist.set_animated(True)                         # left out of the full drawing below
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def frame(self) -> Image.Image:
        """The figure as it is now: the first drawing, then only the moving artists on top."""
        self.canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        return Image.fromarray(np.asarray(self.canvas.buffer_rgba())[..., :3].copy())


def write_animation(trainer, path: str, frames: int) -> str:
    """Write the GIF to ``path`` (".gif" added when it has no extension); returns the file written."""
    written = path if os.path.splitext(path)[1] else path + ".gif"
    if len(trainer.net.linear_list) < 2 or trainer.x.shape[0] != 1:
        print("animation: skipped (it draws one input and the last hidden layer's units)")
        return written
    # A net to hold each frame's weights; its own initial draw leaves np.random's sequence alone.
    net = network(trainer.cfg.layers_dim, trainer.cfg.activation, rng=np.random.default_rng(0))
    artists = _Artists(trainer, trainer.cfg.layers_dim[-2])
    images = []
    for epoch, params in _frames(trainer, frames):
        _update(artists, net, unflat(params, trainer.cfg.layers_dim), trainer, epoch)
        images.append(artists.frame().quantize(colors=128))
    try:
        os.makedirs(os.path.dirname(os.path.abspath(written)), exist_ok=True)
        images[0].save(written, format="GIF", save_all=True, append_images=images[1:], duration=160, loop=0)
    except OSError as error:
        raise OSError(f"cannot write animation {written}: {error.strerror or error}") from None
    return written


def _update(artists: _Artists, net, params: dict, trainer, epoch: int) -> None:
    net.load_parameters(params)
    _, shares, bias, output = hidden_shares(net, trainer.x)      # W[0, j] a_j(x), (H, N)
    artists.fit.set_ydata(output[0])
    for line, share in zip(artists.shares, shares):
        line.set_ydata(share)
    artists.total.set_ydata(shares.sum(axis=0) + bias)
    artists.marker.set_data([epoch], [artists.losses.get(epoch, np.nan)])
    mse = trainer.mse(output)
    artists.title.set_text(f"the fit at epoch {epoch}: MSE {mse:.3g}")
