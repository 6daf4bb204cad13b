"""What every training panel set has: the loss so far on a log-log axis, and the drawing of only
what moves (blitting: the rest is restored from the first drawing).

The animation and the live window draw one of three sets (code/see/panels.py ``panels_for``): the
fit of one input, the decision map of two, or the loss alone.
"""

import numpy as np

from code.see.output import plain_log_ticks


class LossPanel:
    """The loss axis (``loss_ax``) and its curve; ``moving``: the artists that change, ``title``
    the text that says where training is.  Subclasses draw their panels, then call ``finish``."""

    def draw_loss_axis(self, ax, last_epoch: int, loss_limits: tuple, classify: bool) -> None:
        """The empty loss curve on ``ax``, log-log, epochs 1..last_epoch, the loss within loss_limits."""
        (self.loss,) = ax.plot([], [], color="C0", linewidth=1)
        ax.set(xscale="log", yscale="log", xlabel="epoch", xlim=(1, max(2, last_epoch)), ylim=loss_limits,
               title="training cross-entropy so far" if classify else "training loss so far")
        plain_log_ticks(ax.xaxis, ax.yaxis)
        self.loss_ax = ax

    def finish(self, fig, moving: list) -> None:
        """Keep the figure and the moving artists, and leave those out of the full drawings."""
        self.fig, self.moving = fig, moving
        for artist in moving:
            artist.set_animated(True)

    def show_loss(self, epochs: np.ndarray, losses: np.ndarray) -> None:
        """The loss curve of these epochs, 300 points on the log scale."""
        picked = np.unique(np.geomspace(1, max(len(epochs), 1), 300).astype(int)) - 1
        picked = picked[picked < len(epochs)]
        self.loss.set_data(epochs[picked], losses[picked])                  # none yet: empty

    def draw_moving(self, background) -> None:
        """The first drawing (``background``), then only the moving artists on top."""
        self.fig.canvas.restore_region(background)
        for artist in self.moving:
            self.fig.draw_artist(artist)


class LossOnly(LossPanel):
    """For data drawn neither over x nor over the plane (images, several inputs): the loss alone."""

    def __init__(self, fig, trainer, last_epoch: int, loss_limits: tuple):
        self.classify = trainer.cfg.loss == "cross_entropy"
        self.inputs = trainer.x[:, :0]                                      # nothing drawn over the inputs
        self.draw_loss_axis(fig.add_subplot(1, 1, 1), last_epoch, loss_limits, self.classify)
        self.title = fig.text(0.5, 0.02, "epoch 0000000", ha="center", va="bottom")
        self.finish(fig, [self.loss, self.title])

    def show_net(self, net, epoch: int) -> None:
        self.title.set_text(f"epoch {epoch}")
