"""A progress line on a terminal, written with the standard library (no progress package to install):

    epoch 12,400 / 40,000   31%   loss 0.2013   0:01 elapsed   0:03 left   9,870 epochs/s

It is shown only when stderr is a terminal: into a pipe, a file, CI or a notebook's captured output
nothing of it appears, and the log on stdout is byte for byte the same with it or without it.  Log
lines print above it (the line is wiped, the log line printed, the line drawn again), and it is
gone when training ends.  It redraws at most ``every`` seconds: one clock reading an epoch.
It fits the terminal's width, read at every redraw: on a narrow terminal the least needed parts
(the rate, then the time elapsed, the time left, the percentage) are left out, so the line never wraps.
"""

import os
import shutil
import sys
import time

DROPPED_FIRST = (5, 3, 4, 1, 2)           # the parts left out, in turn, when the line is too wide


def wanted(cfg, stream=None) -> bool:
    """Show the line: cfg.progress is on and ``stream`` (stderr) is a terminal."""
    stream = sys.stderr if stream is None else stream
    return bool(cfg.progress) and not cfg.quiet and hasattr(stream, "isatty") and stream.isatty()


def clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class ProgressLine:
    """``with ProgressLine(trainer):`` training shows its progress; the trainer calls ``update`` after
    every epoch (it is one of ``trainer.after_epoch``)."""

    def __init__(self, trainer, stream=None, every: float = 0.25):
        self.trainer, self.every = trainer, every
        self.stream = sys.stderr if stream is None else stream
        self.shown = False

    def __enter__(self):
        self.start, self.first_epoch = time.monotonic(), self.trainer.epoch
        self.drawn = self.epoch_began = self.start
        self.stdout, sys.stdout = sys.stdout, _Above(sys.stdout, self)   # log lines go above the line
        self.trainer.after_epoch.append(self.update)
        getattr(self.trainer, "after_batch", []).append(self.within)
        return self

    def __exit__(self, *exc):
        self.trainer.after_epoch.remove(self.update)
        if self.within in getattr(self.trainer, "after_batch", []):
            self.trainer.after_batch.remove(self.within)
        sys.stdout = self.stdout
        self.wipe()

    def update(self, trainer) -> None:
        now = self.epoch_began = time.monotonic()
        if now - self.drawn >= self.every:
            self.drawn = now
            self.draw(now)

    def within(self, trainer, done: int, batches: int) -> None:
        """Within an epoch longer than ``every`` (MNIST's 6,000 batches): the line, and the batch it is at."""
        now = time.monotonic()
        if done < batches and now - self.drawn >= self.every and now - self.epoch_began >= self.every:
            self.drawn = now
            self.draw(now, f"   epoch {trainer.epoch + 1:,}: batch {done:,} / {batches:,}")

    def text(self, now: float) -> str:
        trainer = self.trainer
        done, total = trainer.epoch, trainer.cfg.total_epochs
        elapsed = now - self.start
        rate = (done - self.first_epoch) / elapsed if elapsed > 0 else 0.0
        left = clock((total - done) / rate) if rate > 0 else "?"
        loss = trainer.history.values["loss"][-1] if trainer.history.epochs else float("nan")
        parts = [f"epoch {done:,} / {total:,}", f"{100 * done / max(total, 1):3.0f}%", f"loss {loss:.4g}",
                 f"{clock(elapsed)} elapsed", f"{left} left", f"{rate:,.0f} epochs/s"]
        return fit(parts, width(self.stream))

    def draw(self, now: float, within: str = "") -> None:
        self.stream.write("\r" + self.text(now) + within + "\033[K")
        self.stream.flush()
        self.shown = True

    def wipe(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def width(stream) -> int:
    """The columns of the terminal ``stream`` writes to (COLUMNS, or 80, when it cannot say)."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):        # no file number, or not a terminal
        columns = 0
    return columns or shutil.get_terminal_size().columns


def fit(parts: list, columns: int) -> str:
    """The parts joined by three spaces, shorter than ``columns`` (the last column left free, so the
    cursor never wraps): the parts of DROPPED_FIRST left out in turn, the first part cut if need be."""
    kept = list(range(len(parts)))
    line = "   ".join(parts)
    for index in DROPPED_FIRST:
        if len(line) < columns:
            break
        kept.remove(index)
        line = "   ".join(parts[i] for i in kept)
    return line[:max(columns - 1, 1)]


class _Above:
    """stdout while the line is shown: each write first wipes the line, which the next update draws
    again (as tqdm.write does)."""

    def __init__(self, stdout, line: ProgressLine):
        self.stdout, self.line = stdout, line

    def write(self, text: str) -> int:
        self.line.wipe()
        return self.stdout.write(text)

    def __getattr__(self, name: str):
        return getattr(self.stdout, name)
