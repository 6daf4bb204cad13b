"""Files written whole or not at all: to a temporary file beside the target, then renamed over it.

A crash, a full disk or Ctrl-C at any moment leaves the previous file or the new one at the path,
never half of one, and no temporary file behind: the stop signals wait (signals.held) until the
file is renamed or its temporary removed.  A symlink at the path is written through to its target.
"""

import contextlib
import os
import tempfile
from collections.abc import Callable

from code.run.names import shown
from code.run.signals import held


def with_extension(path: str, extension: str) -> str:
    """``path``, or ``path + extension`` when it has none (as matplotlib and Pillow do)."""
    return path if os.path.splitext(path)[1] else path + extension


def write_atomically(path: str, write: Callable, what: str) -> None:
    """Call ``write(binary file)``, then rename the file to ``path``.  OSError "cannot write
    {what} {path}: ..." when it fails; the previous file at ``path``, if any, is then unchanged."""
    with held():
        _write(path, write, what)


def _write(path: str, write: Callable, what: str) -> None:
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(target) + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = None
    except OSError as error:
        raise OSError(f"cannot write {what} {shown(path)}: {error.strerror or error}") from None
    finally:
        if tmp is not None:                                    # failed, or interrupted by an exception
            with contextlib.suppress(OSError):
                os.remove(tmp)
    _fsync_folder(folder)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)
