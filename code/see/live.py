"""The live window (``--live``): the training as it happens, in one window on a desktop.

Three panels, as in the animation: the fit over the target, each hidden unit's share of the output,
and the loss so far.  The trainer calls ``update`` after every epoch; at most every ``every``
seconds it redraws only what moves (blitting) and lets the window handle its events, so the window
stays responsive while training runs in the same process.  Closing the window ends the live view,
not the training.  Without a display it says so in one line and training goes on without it.
"""

import time

from code.see.output import display_kind, sorted_sample
from code.see.panels import MARGINS, TrainingPanels

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
        self.fig = self.plt.figure("HJLNet: training", figsize=(12, 3.8))
        self.fig.subplots_adjust(**MARGINS)
        self.panels = TrainingPanels(self.fig, trainer, sorted_sample(trainer.x[0], 1000), trainer.cfg.total_epochs,
                                     (0.1, 1000))
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
        self.panels.draw_moving(self.background)
        canvas.blit(self.fig.bbox)
        canvas.flush_events()
        self.redraws += 1

    def _set_data(self, trainer) -> bool:
        """Move the artists to the trainer's state; True when the loss axis had to grow."""
        self.panels.show_net(trainer.net, trainer.epoch)
        if not trainer.history.epochs:
            return False
        epochs, losses = trainer.history.column("loss")
        self.panels.show_loss(epochs, losses)
        low, high = self.panels.loss_ax.get_ylim()
        if losses.min() >= low and losses.max() <= high:
            return False
        self.panels.loss_ax.set_ylim(losses.min() / 10, losses.max() * 2)   # a decade of room below: few redraws
        return True
