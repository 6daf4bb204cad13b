"""The training as an animated GIF, frame by frame: the fit, each hidden unit's share and the loss so
far; for a classifier of two inputs, the decision map and the loss (code/see/panels.py ``panels_for``).

Training keeps the parameters at a fixed grid of epochs spaced on a log scale, 20 per decade (like
the progress snapshots, they are in the checkpoint and survive resume), and the animation takes
``animation_frames`` of them, spread over the epochs where the picture changes (frames.py), the
last frame being the end.
The figure is drawn once; each frame redraws only what moves (blitting), its
colours from that frame's weights.  The frames share one palette, made from a
few of them, so still parts keep their colour; Pillow (which comes with
matplotlib) writes the GIF.
"""

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from code.run.atomic import with_extension, write_atomically
from code.run.snapshots import flat, log_grid, unflat
from code.scripts.network import make_network
from code.see.frames import snapshot_pictures, spread_frames
from code.see.loss_panel import LossOnly
from code.see.output import STYLE, figure
from code.see.panels import MARGINS, panels_for

DPI = 80                                 # 10 x 3.4 inches: 800 x 272 pixels, labels of 11 pixels


def frame_epochs(available: list, frames: int) -> list:
    """``frames`` of the ``available`` epochs (or any list), evenly by rank: log-spaced, first and last kept."""
    if len(available) <= frames:
        return list(available)
    ranks = np.linspace(0, len(available) - 1, frames).round().astype(int)
    return [available[r] for r in ranks]


def _frames(trainer, frames: int, net, inputs: np.ndarray) -> list:
    """(epoch, parameters) of the frames: kept snapshots of the grid, spread where the picture of
    ``inputs`` (1, n) changes (code/see/frames.py), and the current parameters."""
    wanted = log_grid(trainer.epoch)
    grid = [e for e in wanted if e in trainer.snapshots and e != trainer.epoch]   # the last frame comes apart
    chosen = spread_frames(grid, snapshot_pictures(trainer, net, inputs, grid), max(frames - 1, 1))
    kept = [(e, trainer.snapshots[e]) for e in chosen]
    missing = len([e for e in wanted if e not in trainer.snapshots])
    if missing:
        print(f"animation: {missing} snapshot(s) missing (the run that wrote the checkpoint did not record them)")
    return kept + [(trainer.epoch, flat(trainer.net.parameters()))]


class _Artists:
    """The panels on a figure of their own, drawn once, and each frame as an image."""

    def __init__(self, trainer, panels):
        self.fig = figure(10, 3.4, **MARGINS)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.set_dpi(DPI)
        self.epochs, self.losses = trainer.history.column("loss")
        self.panels = panels(self.fig, trainer, self.epochs[-1], (self.losses.min() / 1.5, self.losses.max() * 1.5))
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def frame(self, net, epoch: int) -> Image.Image:
        """The figure at ``epoch``: ``net``'s fit and shares, the loss up to that epoch."""
        self.panels.show_net(net, epoch)
        last = np.searchsorted(self.epochs, epoch, side="right")
        self.panels.show_loss(self.epochs[:last], self.losses[:last])
        self.panels.draw_moving(self.background)
        return Image.fromarray(np.asarray(self.canvas.buffer_rgba())[..., :3].copy())


def shared_palette(images: list) -> Image.Image:
    """One palette of 255 colours for every frame, made from these frames side by side: each
    frame's colours are in it (the share colours follow the weights), and still parts keep theirs."""
    strip = np.concatenate([np.asarray(picture) for picture in images], axis=0)   # (frames * height, width, 3)
    return Image.fromarray(strip).quantize(colors=255)


def write_animation(trainer, path: str, frames: int) -> str:
    """Write the GIF to ``path`` (".gif" added when it has no extension), atomically; returns the
    file written, or "" when there is nothing to animate."""
    panels = panels_for(trainer)
    if panels is LossOnly or not trainer.history.epochs:
        print("animation: skipped (it draws trained epochs of one input and a hidden layer, "
              "or of a classifier of two inputs)")
        return ""
    written = with_extension(path, ".gif")
    # A net to hold each frame's weights; its own initial draw leaves np.random's sequence alone.
    net = make_network(trainer.cfg, rng=np.random.default_rng(0))
    with matplotlib.rc_context(STYLE):
        artists = _Artists(trainer, panels)
    frames = _frames(trainer, frames, net, artists.panels.inputs)

    def image(epoch: int, params: np.ndarray) -> Image.Image:
        net.load_parameters(unflat(params, trainer.cfg.layers_dim))
        return artists.frame(net, epoch)
    drawn = {i: image(*frames[i]) for i in frame_epochs(range(len(frames)), 8)}   # 8 frames make the palette
    palette = shared_palette(list(drawn.values()))
    images = [(drawn.pop(i) if i in drawn else image(*frame)).quantize(palette=palette, dither=Image.Dither.NONE)
              for i, frame in enumerate(frames)]                # each frame drawn once
    write_atomically(written, lambda f: images[0].save(f, format="GIF", save_all=True, append_images=images[1:],
                                                        duration=160, loop=0), "animation")
    return written
