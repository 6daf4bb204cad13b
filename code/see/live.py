"""The live window (``--live``): the training as it happens, in one window on a desktop.

Three panels, as in the animation: the fit over the target, each hidden unit's share of the output,
and the loss so far.  The trainer calls ``update`` after every epoch; at most every ``every``
seconds it redraws only what moves (blitting) and lets the window handle its events, so the window
stays responsive while training runs in the same process.  Closing the window ends the live view,
not the training.  Without a display it says so in one line and training goes on without it.
"""

import time

import numpy as np
from matplotlib.collections import LineCollection

from code.see.explain import hidden_shares
from code.see.figures import share_colours
from code.see.output import display_kind, plain_log_ticks, sorted_sample

NO_DISPLAY = "--live needs a display; training without it"


class LiveWindow:
    """``with LiveWindow(trainer):`` training shows itself; ``redraws`` counts the drawings."""

    def __init__(self, trainer, every: float = 0.5):
        self.trainer, self.every = trainer, every
        self.fig, self.redraws, self.open = None, 0, False

    def __enter__(self):
        if display_kind() != "window":
            print(NO_DISPLAY)
            return self
        import matplotlib.pyplot as plt
        self.plt = plt
        self._build()
        plt.show(block=False)
        self.open, self.drawn = True, 0.0
        self.trainer.after_epoch.append(self.update)
        self.update(self.trainer)
        return self

    def __exit__(self, *exc):
        if self.update in self.trainer.after_epoch:
            self.trainer.after_epoch.remove(self.update)
        if self.open:
            self.plt.close(self.fig)

    def _build(self) -> None:
        trainer = self.trainer
        self.shown = sorted_sample(trainer.x[0], 1000)
        x, y = trainer.x[0, self.shown], trainer.y[0, self.shown]
        self.fig = self.plt.figure("HJLNet: training", figsize=(12, 3.8))
        self.fig.subplots_adjust(left=0.06, right=0.99, bottom=0.15, top=0.88, wspace=0.28)
        fit_ax, share_ax, self.loss_ax = (self.fig.add_subplot(1, 3, k) for k in (1, 2, 3))
        fit_ax.scatter(x, y, s=3, color="0.6")
        (self.fit,) = fit_ax.plot(x, np.zeros_like(x), color="C1", animated=True)
        colours = share_colours(trainer.net.linear_list[-1].weight[0])
        self.shares = share_ax.add_collection(LineCollection([], colors=colours, linewidths=0.8, animated=True))
        self.x = x
        span = 1.5 * max(np.abs(y).max(), 1e-9)
        fit_ax.set(ylim=(-span, span), xlabel="x", ylabel="y", title="the fit")
        share_ax.set(ylim=(-2 * span, 2 * span), xlabel="x", title="each unit's share W[0, j] a_j(x)")
        (self.loss,) = self.loss_ax.plot([], [], color="C0", animated=True)
        self.loss_ax.set(xscale="log", yscale="log", xlabel="epoch", title="training loss so far",
                         xlim=(1, max(2, trainer.cfg.total_epochs)), ylim=(0.1, 1000))
        plain_log_ticks(self.loss_ax.xaxis, self.loss_ax.yaxis)
        self.title = self.fig.suptitle("epoch 0", animated=True)
        self.moving = [self.fit, self.shares, self.loss, self.title]
        self.fig.canvas.mpl_connect("close_event", self._closed)
        self.fig.canvas.mpl_connect("draw_event", self._drawn)  # a resize redraws all: keep its background

    def _closed(self, event) -> None:
        self.open = False

    def _drawn(self, event) -> None:
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)

    def update(self, trainer) -> None:
        """After an epoch: redraw when ``every`` seconds have passed, and let the window breathe."""
        now = time.monotonic()
        if not self.open or now - self.drawn < self.every:
            return
        self.drawn = now
        canvas = self.fig.canvas
        if self._set_data(trainer) or not hasattr(self, "background"):
            canvas.draw()                                     # new axis limits (or the first time): all of it
        canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        canvas.blit(self.fig.bbox)
        canvas.flush_events()
        self.redraws += 1

    def _set_data(self, trainer) -> bool:
        """Move the artists to the trainer's state; True when the loss axis had to grow."""
        _, shares, bias, output = hidden_shares(trainer.net, trainer.x[:, self.shown])
        self.fit.set_ydata(output[0])
        self.shares.set_segments([np.column_stack([self.x, share]) for share in shares])
        if trainer.history.epochs:
            epochs, losses = trainer.history.column("loss")
            picked = np.unique(np.geomspace(1, len(epochs), 300).astype(int)) - 1
            self.loss.set_data(epochs[picked], losses[picked])
        self.title.set_text(f"epoch {trainer.epoch} of {trainer.cfg.total_epochs}")
        if not trainer.history.epochs:
            return False
        low, high = self.loss_ax.get_ylim()
        if losses.min() >= low and losses.max() <= high:
            return False
        self.loss_ax.set_ylim(losses.min() / 10, losses.max() * 2)    # a decade of room below: few redraws
        return True
