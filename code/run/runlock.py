"""One run per checkpoint: an exclusive lock on ``<ckpt_path>.lock`` for as long as the run lasts.

The lock is the operating system's (flock): a run killed with ``kill -9`` loses
it at once, so it never blocks the next run.  The lock file names the pid of
the run holding it, for the error message.  Where flock does not exist
(Windows), runs are not locked.
"""

import glob
import os

from code.run.names import shown

try:
    import fcntl
except ImportError:                                   # Windows
    fcntl = None


class CheckpointInUse(Exception):
    """Another live run holds the checkpoint, or it cannot be locked."""


class RunLock:
    """``with RunLock(ckpt_path):`` holds the lock; CheckpointInUse if another run has it."""

    def __init__(self, ckpt_path: str):
        self.ckpt_path = ckpt_path
        self.path = os.path.realpath(ckpt_path) + ".lock"   # beside the real file, through a symlink
        self.fd = None

    def __enter__(self):
        if fcntl is None:
            return self
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self._lock()
        except OSError as error:
            raise CheckpointInUse(f"cannot lock checkpoint {shown(self.ckpt_path)} ({shown(self.path)}): "
                                  f"{error.strerror or error}") from None
        remove_stale_temp_files(self.ckpt_path)
        return self

    def _lock(self) -> None:
        while self.fd is None:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                pid = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise CheckpointInUse(f"checkpoint {shown(self.ckpt_path)} is in use by another run (pid {pid})") from None
            if _same_file(fd, self.path):
                self.fd = fd                              # still the file at our path: ours
            else:
                os.close(fd)                              # its holder removed it meanwhile: open the new one
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode("ascii"))

    def __exit__(self, *exc):
        if self.fd is not None:
            os.remove(self.path)                          # while still held: no one else is inside
            os.close(self.fd)
            self.fd = None


def _same_file(fd: int, path: str) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def temp_pattern(ckpt_path: str) -> str:
    """The names the checkpoint's temp files take (see checkpoint.save_checkpoint)."""
    real = os.path.realpath(ckpt_path)
    return os.path.join(os.path.dirname(real), "." + os.path.basename(real) + ".*.tmp")


def remove_stale_temp_files(ckpt_path: str) -> None:
    """Temp files of runs killed mid-save: with the lock held, no live run is writing them."""
    for path in glob.glob(temp_pattern(ckpt_path)):
        try:
            os.remove(path)
        except OSError:
            pass
