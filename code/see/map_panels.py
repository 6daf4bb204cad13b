"""The panels of a classifier of two inputs, for the animation and the live window: the decision
map as it changes (TensorFlow Playground's picture), over the labelled points, and the loss so far."""

import numpy as np

from code.lib.chunks import predict
from code.see.loss_panel import LossPanel
from code.see.maps import class_colours, class_title, draw_points, map_grid, map_image
from code.see.output import sample

MOVING_MAP = 100                     # the moving map's grid: 100 x 100 points, redrawn at every frame


class MapPanels(LossPanel):
    """fig: a Figure of two panels' room; last_epoch and loss_limits: the loss axis's range.
    Up to 1000 of the points are drawn, and scored in the title."""

    def __init__(self, fig, trainer, last_epoch: int, loss_limits: tuple):
        shown = sample(trainer.x.shape[1], 1000)
        self.inputs, self.targets = trainer.x[:, shown], trainer.y[:, shown]      # (2, n), (1, n)
        self.grid, extent = map_grid(trainer.x, MOVING_MAP)
        map_ax, loss_ax = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        self.map = map_ax.imshow(map_image(trainer.net, self.grid), origin="lower", aspect="auto", extent=extent)
        labels = trainer.y[0].astype(np.int64)
        points = draw_points(map_ax, trainer.x, labels, trainer.held_out, shown, class_colours(trainer.net))
        map_ax.set(xlabel="x0", ylabel="x1", title="epoch 0000000: cross-entropy 0.000, accuracy 100%")
        self.draw_loss_axis(loss_ax, last_epoch, loss_limits, classify=True)
        self.title = map_ax.title
        self.finish(fig, [self.map, *points, self.loss, self.title])      # the points over the moving map

    def show_net(self, net, epoch: int) -> None:
        """``net``'s decision map, and its cross-entropy and accuracy on the points drawn."""
        self.map.set_data(map_image(net, self.grid))
        with np.errstate(over="ignore"):
            self.title.set_text(class_title(epoch, predict(net, self.inputs), self.targets))
