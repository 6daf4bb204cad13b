"""The three panels the animation and the live window both draw: the fit over the target, each
hidden unit's share of the output with their sum, and the training loss so far.

Drawn once; ``moving`` are the artists that change, which the animation and the live window redraw
on their own (blitting: the rest is restored from the first drawing).
"""

import numpy as np
from matplotlib.collections import LineCollection

from code.see.explain import hidden_shares
from code.see.figures import share_colours
from code.see.output import plain_log_ticks

MARGINS = {"left": 0.06, "right": 0.99, "bottom": 0.16, "top": 0.88, "wspace": 0.28}


class TrainingPanels:
    """fig: a Figure of three columns' room; shown: the indices of the points drawn (sorted by x);
    last_epoch and loss_limits: the loss axis's range."""

    def __init__(self, fig, trainer, shown: np.ndarray, last_epoch: int, loss_limits: tuple):
        self.inputs, self.targets = trainer.x[:, shown], trainer.y[:, shown]      # (1, n) each
        x, y = self.inputs[0], self.targets[0]
        fit_ax, share_ax, self.loss_ax = (fig.add_subplot(1, 3, k) for k in (1, 2, 3))
        fit_ax.scatter(x, y, s=3, color="0.6")
        (self.fit,) = fit_ax.plot(x, np.zeros_like(x), color="C1")
        colours = share_colours(trainer.net.linear_list[-1].weight[0])
        self.shares = share_ax.add_collection(LineCollection([], colors=colours, linewidths=0.8))   # one artist
        (self.total,) = share_ax.plot(x, np.zeros_like(x), color="k", linewidth=1.5)
        span = 1.5 * max(np.abs(y).max(), 1e-9)
        fit_ax.set(ylim=(-span, span), xlabel="x", ylabel="y", title="the fit at epoch 0000000: MSE 0.000")
        share_ax.set(ylim=(-2 * span, 2 * span), xlabel="x", title="each unit's share W[0, j] a_j(x)")
        (self.loss,) = self.loss_ax.plot([], [], color="C0", linewidth=1)
        self.loss_ax.set(xscale="log", yscale="log", xlabel="epoch", title="training loss so far",
                         xlim=(1, max(2, last_epoch)), ylim=loss_limits)
        plain_log_ticks(self.loss_ax.xaxis, self.loss_ax.yaxis)
        self.fig, self.title = fig, fit_ax.title
        self.moving = [self.fit, self.shares, self.total, self.loss, self.title]
        for artist in self.moving:
            artist.set_animated(True)                         # left out of the full drawings

    def show_net(self, net, epoch: int) -> None:
        """The fit, the shares and their sum of ``net``, and the title with its MSE on the points drawn."""
        _, shares, bias, output = hidden_shares(net, self.inputs)           # W[0, j] a_j(x), (H, n)
        self.fit.set_ydata(output[0])
        self.shares.set_segments([np.column_stack([self.inputs[0], share]) for share in shares])
        self.total.set_ydata(shares.sum(axis=0) + bias)
        mse = float(np.mean((output - self.targets) ** 2))                  # all points, up to 1000 of them
        self.title.set_text(f"the fit at epoch {epoch}: MSE {mse:.3g}")

    def show_loss(self, epochs: np.ndarray, losses: np.ndarray) -> None:
        """The loss curve of these epochs, 300 points on the log scale."""
        picked = np.unique(np.geomspace(1, max(len(epochs), 1), 300).astype(int)) - 1
        self.loss.set_data(epochs[picked[picked < len(epochs)]], losses[picked[picked < len(epochs)]])   # none yet: empty

    def draw_moving(self, background) -> None:
        """The first drawing (``background``), then only the moving artists on top."""
        self.fig.canvas.restore_region(background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
