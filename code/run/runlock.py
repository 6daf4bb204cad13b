"""One owner per run: an exclusive lock on ``<ckpt_path>.lock`` (and on ``<metrics_path>.lock``) for as
long as a run writes.

The lock is the operating system's (flock): a run killed with ``kill -9`` loses it at once, so it
never blocks the next run.  The lock file names the pid of the run holding it, for the error
message.  It is never opened through a symlink, and a lock path that is not a regular file is
refused.  Where flock does not exist (Windows), runs are not locked.
"""

import glob
import os
import stat

try:
    import fcntl
except ImportError:                                   # Windows
    fcntl = None

from code.run.names import shown
from code.run.paths import TEMP_PREFIX, TEMP_SUFFIX


class CheckpointInUse(Exception):
    """Another live run holds the checkpoint, or it cannot be locked."""


def lock_path(path: str) -> str:
    """Where the lock of ``path`` lies: beside the real file (a symlinked checkpoint's target)."""
    return os.path.realpath(path) + ".lock"


class RunLock:
    """``with RunLock(ckpt_path, metrics_path, outputs=[...]):`` holds the locks; CheckpointInUse if
    another run has one.  Once held, the temporary files that killed runs left beside ``outputs`` are
    removed: no live run is writing them."""

    def __init__(self, ckpt_path: str, *more: str, outputs: tuple = ()):
        self.ckpt_path, self.paths = ckpt_path, list(dict.fromkeys(lock_path(p) for p in (ckpt_path, *more)))
        self.outputs, self.fds, self.created = (ckpt_path, *more, *outputs), [], []

    def __enter__(self):
        if fcntl is None:
            return self
        for path in self.paths:                       # the folders the locks create, deepest first
            self.created += [folder for folder in missing_folders(os.path.dirname(path)) if folder not in self.created]
        try:
            for path in self.paths:
                self.fds.append(self._lock(path))
        except BaseException:
            self.__exit__()
            raise
        for path in self.outputs:
            remove_stale_temp_files(path)
        return self

    def _lock(self, path: str) -> int:
        while True:
            fd = _open(path, self.ckpt_path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                pid = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise CheckpointInUse(f"checkpoint {shown(self.ckpt_path)} is in use by another run (pid {pid})") from None
            if _same_file(fd, path):
                return _sign(fd, path, self.ckpt_path)    # still the file at our path: ours
            os.close(fd)                                  # its holder removed it meanwhile: open the new one

    def __exit__(self, *exc):
        for path, fd in zip(self.paths, self.fds):
            try:
                if _same_file(fd, path):
                    os.remove(path)                       # while still held: no one else is inside
            except OSError:
                pass
            os.close(fd)
        self.fds = []
        for folder in self.created:                   # a run that wrote nothing leaves no empty folder
            try:
                os.rmdir(folder)                      # only when empty: any file of any run keeps it
            except OSError:
                pass
        self.created = []


def missing_folders(folder: str) -> list:
    """The folders of ``folder``'s path that do not exist yet, deepest first (runs/a/b, runs/a, runs)."""
    missing = []
    while folder and not os.path.lexists(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    return missing


def _open(path: str, ckpt_path: str) -> int:
    """The lock file, opened never through a link; CheckpointInUse if it cannot be, or is not a file."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK, 0o644)
    except OSError as error:
        link = " (it is a symbolic link)" if os.path.islink(path) else ""
        raise CheckpointInUse(f"cannot lock checkpoint {shown(ckpt_path)}: {shown(path)}{link}: {error.strerror or error}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise CheckpointInUse(f"cannot lock checkpoint {shown(ckpt_path)}: {shown(path)} is not a regular file; move it away")
    return fd


def _sign(fd: int, path: str, ckpt_path: str) -> int:
    """Write our pid into the lock we hold (``fd``); on failure (a full disk) let it go, CheckpointInUse."""
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    except OSError as error:
        try:
            os.remove(path)
        except OSError:
            pass
        os.close(fd)
        raise CheckpointInUse(f"cannot lock checkpoint {ckpt_path}: {path}: {error.strerror or error}") from None
    return fd


def _same_file(fd: int, path: str) -> bool:
    try:
        here, there = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def temp_pattern(path: str) -> str:
    """The names the temporary files of an atomic write of ``path`` take (see atomic.write_atomically)."""
    real = os.path.realpath(path)
    return os.path.join(glob.escape(os.path.dirname(real)), TEMP_PREFIX + glob.escape(os.path.basename(real)) + ".*" + TEMP_SUFFIX)


def remove_stale_temp_files(path: str) -> None:
    """Temp files of runs killed mid-save: with the lock held, no live run is writing them."""
    for found in glob.glob(temp_pattern(path)):
        try:
            os.remove(found)
        except OSError:
            pass
