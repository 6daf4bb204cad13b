"""The three panels the animation and the live window both draw: the fit over the target, each
hidden unit's share of the output with their sum, and the training loss so far.  A classifier of
one input draws each class's probability over its labelled points in place of the fit, the shares
of its logit z0, and speaks of cross-entropy and accuracy.

Drawn once; ``moving`` are the artists that change, which the animation and the live window redraw
on their own (code/see/loss_panel.py).  ``panels_for`` picks the set a run gets.
"""

import numpy as np
from matplotlib.collections import LineCollection

from code.see.explain import hidden_shares
from code.see.figures import share_colours
from code.see.loss_panel import LossOnly, LossPanel
from code.see.map_panels import MapPanels
from code.see.maps import class_colours, class_probabilities, class_title
from code.see.output import sorted_sample

MARGINS = {"left": 0.075, "right": 0.975, "bottom": 0.16, "top": 0.88, "wspace": 0.28}


def panels_for(trainer):
    """The panel set that draws this run: the fit (one input with a hidden layer), the decision
    map (a classifier of two inputs), or the loss alone."""
    if trainer.x.shape[0] == 1 and len(trainer.net.linear_list) > 1:
        return TrainingPanels
    if trainer.x.shape[0] == 2 and trainer.cfg.loss == "cross_entropy":
        return MapPanels
    return LossOnly


class TrainingPanels(LossPanel):
    """fig: a Figure of three columns' room; last_epoch and loss_limits: the loss axis's range.
    Up to 1000 of the points are drawn, sorted by x."""

    def __init__(self, fig, trainer, last_epoch: int, loss_limits: tuple):
        shown = sorted_sample(trainer.x[0], 1000)
        self.inputs, self.targets = trainer.x[:, shown], trainer.y[:, shown]      # (1, n) each
        self.classify = trainer.cfg.loss == "cross_entropy"
        fit_ax, share_ax, loss_ax = (fig.add_subplot(1, 3, k) for k in (1, 2, 3))
        self.fits = self._draw_targets(fit_ax, trainer.net)
        self.shares = share_ax.add_collection(LineCollection([], linewidths=0.8))   # one artist, coloured by show_net
        (self.total,) = share_ax.plot(self.inputs[0], np.zeros(len(shown)), color="k", linewidth=1.5)
        share_ax.set(ylim=self._share_limits(trainer.net), xlabel="x",
                     title="each unit's share of logit z0" if self.classify else "each unit's share W[0, j] a_j(x)")
        self.draw_loss_axis(loss_ax, last_epoch, loss_limits, self.classify)
        self.title = fit_ax.title
        self.finish(fig, [*self.fits, self.shares, self.total, self.loss, self.title])

    def _draw_targets(self, ax, net) -> list:
        """The target and one line per output drawn over it: the fit, or each class's probability
        over the labelled points; returns the lines that move."""
        x, y = self.inputs[0], self.targets[0]
        if not self.classify:
            ax.scatter(x, y, s=3, color="0.6")
            span = 1.5 * max(np.abs(y).max(), 1e-9)
            ax.set(ylim=(-span, span), xlabel="x", ylabel="y", title="the fit at epoch 0000000: MSE 0.000")
            return ax.plot(x, np.zeros_like(x), color="C1")
        colours = class_colours(net)
        ax.scatter(x, np.full(len(x), 1.08), s=12, marker="|", c=colours[y.astype(np.int64) % len(colours)])
        ax.set(ylim=(-0.03, 1.15), xlabel="x", ylabel="probability of each class",
               title="epoch 0000000: cross-entropy 0.000, accuracy 100%")
        return [ax.plot(x, np.zeros_like(x), color=colour)[0] for colour in colours]

    def _share_limits(self, net) -> tuple:
        """The share axis's range: 1.5 times the target's for a fit, twice today's logit z0 for a classifier."""
        if not self.classify:
            span = 3 * max(np.abs(self.targets[0]).max(), 1e-9)
            return -span, span
        _, shares, bias, _ = hidden_shares(net, self.inputs)
        span = 2 * max(np.abs(shares).max(), np.abs(shares.sum(axis=0) + bias).max(), 5.0)
        return -span, span

    def show_net(self, net, epoch: int) -> None:
        """The fit (or class probabilities), the shares and their sum of ``net``, each share coloured
        by its unit's weight today, and the title with its MSE (or cross-entropy and accuracy) on the
        points drawn."""
        _, shares, bias, output = hidden_shares(net, self.inputs)           # W[0, j] a_j(x), (H, n)
        self.shares.set_segments([np.column_stack([self.inputs[0], share]) for share in shares])
        self.shares.set_colors(share_colours(net.linear_list[-1].weight[0]))
        self.total.set_ydata(shares.sum(axis=0) + bias)
        if self.classify:
            for line, p in zip(self.fits, class_probabilities(output)):
                line.set_ydata(p)
            self.title.set_text(class_title(epoch, output, self.targets))       # all points, up to 1000 of them
            return
        self.fits[0].set_ydata(output[0])
        mse = float(np.mean((output - self.targets) ** 2))                  # all points, up to 1000 of them
        self.title.set_text(f"the fit at epoch {epoch}: MSE {mse:.3g}")
