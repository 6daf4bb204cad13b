"""The training as an animated GIF: the fit, each hidden unit's share and the loss so far, frame by frame.

The frames are epochs spaced on a log scale (early epochs change the most):
training keeps the parameters at a fixed grid of epochs, 20 per decade (like the
progress snapshots, they are in the checkpoint and survive resume), and the
animation takes ``animation_frames`` of them, the last frame being the end.
The figure is drawn once; each frame redraws only what moves (blitting), every
frame takes the first frame's palette, and Pillow (which comes with matplotlib)
writes the GIF.
"""

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from PIL import Image

from code.run.atomic import write_atomically
from code.run.snapshots import flat, log_grid, unflat
from code.scripts.network import network
from code.see.explain import hidden_shares
from code.see.figures import share_colours
from code.see.output import STYLE, figure, plain_log_ticks, sorted_sample, with_extension

DPI = 80                                 # 10 x 3.4 inches: 800 x 272 pixels, labels of 11 pixels


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
    the loss so far (blitting: the rest of the figure is restored from the first drawing)."""

    def __init__(self, trainer, shown: np.ndarray):
        x, y = trainer.x[0, shown], trainer.y[0, shown]
        self.fig = figure(10, 3.4, left=0.06, right=0.99, bottom=0.16, top=0.88, wspace=0.28)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.set_dpi(DPI)
        fit_ax, share_ax, loss_ax = (self.fig.add_subplot(1, 3, k) for k in (1, 2, 3))
        fit_ax.scatter(x, y, s=3, color="0.6")
        (self.fit,) = fit_ax.plot(x, np.zeros_like(x), color="C1")
        colours = share_colours(trainer.net.linear_list[-1].weight[0])
        self.shares = share_ax.add_collection(LineCollection([], colors=colours, linewidths=0.8))   # one artist
        self.x = x
        (self.total,) = share_ax.plot(x, np.zeros_like(x), color="k", linewidth=1.5)
        span = 1.5 * max(np.abs(y).max(), 1e-9)
        fit_ax.set(ylim=(-span, span), xlabel="x", ylabel="y", title="the fit at epoch 0000000: MSE 0.000")
        share_ax.set(ylim=(-2 * span, 2 * span), xlabel="x", title="each unit's share W[0, j] a_j(x)")
        self.epochs, self.losses = trainer.history.column("loss")
        (self.loss,) = loss_ax.plot([], [], color="C0", linewidth=1)
        loss_ax.set(xscale="log", yscale="log", xlabel="epoch", title="training loss so far",
                    xlim=(1, max(2, self.epochs[-1])), ylim=(self.losses.min() / 1.5, self.losses.max() * 1.5))
        plain_log_ticks(loss_ax.xaxis, loss_ax.yaxis)
        self.title = fit_ax.title
        self.moving = [self.fit, self.shares, self.total, self.loss, self.title]
        for artist in self.moving:
            artist.set_animated(True)                         # left out of the full drawing below
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def loss_until(self, epoch: int) -> None:
        """The loss curve from epoch 1 to ``epoch``, 300 points on the log scale."""
        last = np.searchsorted(self.epochs, epoch, side="right")
        picked = np.unique(np.geomspace(1, max(last, 1), 300).astype(int)) - 1
        self.loss.set_data(self.epochs[picked], self.losses[picked])

    def frame(self) -> Image.Image:
        """The figure as it is now: the first drawing, then only the moving artists on top."""
        self.canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        return Image.fromarray(np.asarray(self.canvas.buffer_rgba())[..., :3].copy())


def write_animation(trainer, path: str, frames: int) -> str:
    """Write the GIF to ``path`` (".gif" added when it has no extension), atomically; returns the
    file written, or "" when there is nothing to animate."""
    if len(trainer.net.linear_list) < 2 or trainer.x.shape[0] != 1 or not trainer.history.epochs:
        print("animation: skipped (it draws one input, the last hidden layer's units and trained epochs)")
        return ""
    written = with_extension(path, ".gif")
    # A net to hold each frame's weights; its own initial draw leaves np.random's sequence alone.
    net = network(trainer.cfg.layers_dim, trainer.cfg.activation, rng=np.random.default_rng(0))
    shown = sorted_sample(trainer.x[0], 1000)
    with matplotlib.rc_context(STYLE):
        artists = _Artists(trainer, shown)
    frames = _frames(trainer, frames)
    epoch, params = frames[-1]                                       # the palette of the last frame,
    _update(artists, net, unflat(params, trainer.cfg.layers_dim), trainer, shown, epoch)
    palette = artists.frame().quantize(colors=64)                    # which draws every colour, for all
    images = []
    for epoch, params in frames:
        _update(artists, net, unflat(params, trainer.cfg.layers_dim), trainer, shown, epoch)
        images.append(artists.frame().quantize(palette=palette, dither=Image.Dither.NONE))
    write_atomically(written, lambda f: images[0].save(f, format="GIF", save_all=True, append_images=images[1:],
                                                        duration=160, loop=0), "animation")
    return written


def _update(artists: _Artists, net, params: dict, trainer, shown: np.ndarray, epoch: int) -> None:
    net.load_parameters(params)
    _, shares, bias, output = hidden_shares(net, trainer.x[:, shown])   # W[0, j] a_j(x), (H, n)
    artists.fit.set_ydata(output[0])
    artists.shares.set_segments([np.column_stack([artists.x, share]) for share in shares])
    artists.total.set_ydata(shares.sum(axis=0) + bias)
    artists.loss_until(epoch)
    mse = float(np.mean((output - trainer.y[:, shown]) ** 2))          # all points, up to 1000 of them
    artists.title.set_text(f"the fit at epoch {epoch}: MSE {mse:.3g}")
