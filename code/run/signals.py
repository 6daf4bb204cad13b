"""Stop training cleanly on Ctrl-C (SIGINT), SIGTERM or SIGHUP.

``kill PID``, ``docker stop``, a batch scheduler's preemption and a closed
terminal send SIGTERM or SIGHUP; Ctrl-C sends SIGINT.  The first of them asks
training to stop at the end of the current epoch (the trainer then saves); a
second one stops at once (KeyboardInterrupt), leaving the last whole checkpoint.
"""

import contextlib
import os
import signal
import threading

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class TrainingStopped(KeyboardInterrupt):
    """Training stopped on a signal at the end of a whole epoch, saved: ``signum``, ``epoch``."""

    def __init__(self, signum: int, epoch: int):
        super().__init__(f"stopped by {signal_name(signum)} after epoch {epoch}, saved")
        self.signum, self.epoch = signum, epoch


def signal_name(signum: int) -> str:
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


class StopOnSignal:
    """Within ``with``: the first stop signal sets ``signum``; a second raises KeyboardInterrupt."""

    def __init__(self):
        self.signum = None
        self.previous = {}

    def requested(self) -> bool:
        """True once a stop signal came: the trainer's ``stop`` callback."""
        return self.signum is not None

    def name(self) -> str:
        return signal_name(self.signum)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():   # signals can only be caught there
            self.previous = {s: signal.signal(s, self._first) for s in STOP_SIGNALS}
        return self

    def _first(self, signum, frame):
        self.signum = signum
        print(f"\n{self.name()}: stopping at the end of this epoch and saving (press Ctrl-C again to abort)",
              flush=True)
        for s in STOP_SIGNALS:
            signal.signal(s, self._again)

    def _again(self, signum, frame):
        self.signum = signum
        raise KeyboardInterrupt

    def __exit__(self, *exc):
        for s, handler in self.previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def held():
    """Within ``with held():`` the stop signals wait: they are noted, and handled as they would have
    been at its end, so a save and its clean-up run whole however many signals come meanwhile (a
    process-wide block would not do: NumPy's threads take signals too).  Outside the main thread,
    where no handler can be set, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum in caught:                                  # as if they came now, in order
            handler = signal.getsignal(signum)
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), signum)                   # the default: Ctrl-C raises, SIGTERM ends
