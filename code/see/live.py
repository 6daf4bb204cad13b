"""The live window (``--live``): the training as it happens, in one window on a desktop.

The panels of the animation (code/see/panels.py ``panels_for``): the fit over the target, each
hidden unit's share of the output and the loss so far; for a classifier of two inputs the decision
map and the loss.  The trainer calls ``update`` after every epoch; at most every ``every`` seconds
it redraws only what moves (blitting) and lets the window handle its events, so the window stays
responsive while training runs in the same process.

Keys (shown in the window): space pauses and resumes, n trains one epoch while paused, - slows
training down, + speeds it up again.  Closing the window ends the live view, not the training.
Without a display it says so in one line and training goes on without it.
"""

import time

from code.see.output import display_kind
from code.see.panels import MARGINS, panels_for

NO_DISPLAY = "--live needs a display; training without it"
KEYS = "keys:  space pause / resume    n one epoch (paused)    - slower    + faster"
DELAYS = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]     # seconds of wait after each epoch: - and + move along
EVERY_EPOCH = 0.03                                           # at this wait or more, every epoch is drawn


class LiveWindow:
    """``with LiveWindow(trainer):`` training shows itself; ``redraws`` counts the drawings;
    ``paused`` and ``delay`` (seconds after each epoch) are what the keys set."""

    def __init__(self, trainer, every: float = 0.5):
        self.trainer, self.every = trainer, every
        self.fig, self.redraws, self.open = None, 0, False
        self.paused, self.steps, self.slowness = False, 0, 0

    @property
    def delay(self) -> float:
        return DELAYS[self.slowness]

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
        self.fig = self.plt.figure("HJLNet: training", figsize=(12, 4.2))
        self.fig.subplots_adjust(**{**MARGINS, "bottom": 0.24})
        self.panels = panels_for(trainer)(self.fig, trainer, trainer.cfg.total_epochs, (0.1, 1000))
        self.fig.text(0.01, 0.015, KEYS, fontsize="small", color="0.3")
        self.status = self.fig.text(0.99, 0.015, "", fontsize="small", ha="right", animated=True)
        self.fig.canvas.mpl_connect("close_event", self._closed)
        self.fig.canvas.mpl_connect("draw_event", self._drawn)  # a resize redraws all: keep its background
        self.fig.canvas.mpl_connect("key_press_event", self._key)

    def _closed(self, event) -> None:
        self.open = False

    def _drawn(self, event) -> None:
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)

    def _key(self, event) -> None:
        """space: pause or resume; n: one more epoch while paused; - and +: slower and faster."""
        if event.key == " ":
            self.paused = not self.paused
        elif event.key == "n" and self.paused:
            self.steps += 1
        elif event.key == "-":
            self.slowness = min(self.slowness + 1, len(DELAYS) - 1)
        elif event.key in ("+", "="):
            self.slowness = max(self.slowness - 1, 0)

    def status_text(self) -> str:
        if self.paused:
            return f"paused after epoch {self.trainer.epoch}"
        return "full speed" if self.delay == 0 else f"slowed: {self.delay:g} s after each epoch"

    def update(self, trainer) -> None:
        """After an epoch: redraw when it is time, wait as long as the keys ask, and hold while paused."""
        if not self.open:
            return
        now = time.monotonic()
        if self.paused or self.delay >= EVERY_EPOCH or now - self.drawn >= self.every:
            self.redraw(trainer, now)
        if self.delay and not self.paused:
            self.fig.canvas.start_event_loop(self.delay)      # the window answers while it waits
        self.hold(trainer)

    def hold(self, trainer) -> None:
        """While paused, let the window answer, until space, n (one epoch), closing it or a stop signal."""
        while self.paused and self.open and not trainer.stop_requested():
            if self.steps:
                self.steps -= 1
                return
            if self.status.get_text() != self.status_text():
                self.redraw(trainer, time.monotonic())        # the status says what the keys did
            self.fig.canvas.start_event_loop(0.05)

    def redraw(self, trainer, now: float) -> None:
        """The moving artists at the trainer's state, drawn on the window."""
        self.drawn = now
        canvas = self.fig.canvas
        if self._set_data(trainer) or not hasattr(self, "background"):
            canvas.draw()                                     # new axis limits (or the first time): all of it
        self.panels.draw_moving(self.background)
        self.status.set_text(self.status_text())
        self.fig.draw_artist(self.status)
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
