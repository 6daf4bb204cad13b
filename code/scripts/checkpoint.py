"""The checkpoint: one NumPy structured record in a plain .npy file, no pickle.

Read it with nothing but NumPy::

    ckpt = np.load("ckpt.npy", allow_pickle=False)   # a 0-d record
    ckpt["epoch"], ckpt["layers_dim"], ckpt["w0"], ckpt["b0"], ...

Fields: format, layers_dim, activation, epoch (epochs done), iteration (updates
done), loss_history (loss of each epoch done), snapshot_epochs and
snapshot_outputs (the fit on the whole dataset at those epochs), then w0, b0,
w1, b1, ... (the weights of linear_list[0], [1], ...).
"""

import os

import numpy as np

FORMAT = 1
HEADER_FIELDS = ("format", "layers_dim", "activation", "epoch", "iteration",
                 "loss_history", "snapshot_epochs", "snapshot_outputs")


REFUSE_PICKLE = ("refusing to load it, since unpickling can run any code. "
                 "Train afresh with --no-resume, or choose another --ckpt-path")


class CheckpointError(Exception):
    """A checkpoint that cannot be read or written; the message names the path."""


def to_record(state: dict) -> np.ndarray:
    """A 0-d structured array with one field per entry of ``state`` (name -> array or scalar)."""
    arrays = {name: np.asarray(value) for name, value in state.items()}
    dtype = np.dtype([(name, a.dtype, a.shape) for name, a in arrays.items()])
    record = np.zeros((), dtype=dtype)
    for name, a in arrays.items():
        record[name] = a
    return record


def save_checkpoint(path: str, state: dict) -> None:
    """Write ``state`` to ``path`` atomically: a temp file in the same folder, then os.replace.

    A crash at any moment leaves the old or the new file whole at ``path``;
    the temp file has a fixed name, so repeated kills never pile them up.
    The same state always gives the same bytes.
    """
    record = to_record(state)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = path + ".tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "wb") as f:                   # a file object: np.save adds no ".npy"
            np.save(f, record, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as error:                   # also Ctrl-C: never leave a partial temp file
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(error, OSError):
            raise CheckpointError(f"cannot write checkpoint {path}: {error.strerror or error}; "
                                  "the previous checkpoint, if any, is unchanged") from None
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read_record(path: str) -> np.ndarray:
    """np.load(path, allow_pickle=False), with every failure turned into one clear message."""
    try:
        with open(path, "rb") as f:
            head = f.read(6)
    except IsADirectoryError:
        raise CheckpointError(f"checkpoint {path} is a folder, not a file") from None
    except OSError as error:
        raise CheckpointError(f"checkpoint {path} cannot be read ({error.strerror})") from None
    if head[:1] == b"\x80":                          # how every pickle since protocol 2 begins
        raise CheckpointError(f"checkpoint {path} is a pickle; {REFUSE_PICKLE}")
    if head != b"\x93NUMPY":
        raise CheckpointError(f"checkpoint {path} is not a .npy file (empty, or some other format)")
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError as error:
        if "object arrays" in str(error).lower():    # np.save of Python objects: a pickle inside
            raise CheckpointError(f"checkpoint {path} holds pickled Python objects (as the original "
                                  f"program wrote them); {REFUSE_PICKLE}") from None
        raise CheckpointError(f"checkpoint {path} is not a readable .npy file ({error})") from None
    except (OSError, EOFError) as error:
        raise CheckpointError(f"checkpoint {path} cannot be read, truncated? ({error})") from None
    if data.dtype.names is None or data.shape != ():
        raise CheckpointError(f"checkpoint {path} holds a plain {data.dtype} array of shape "
                              f"{data.shape}, not a checkpoint record")
    return data


def load_checkpoint(path: str) -> dict:
    """Read and check a checkpoint; return {field: array}. Raise CheckpointError if unusable."""
    record = _read_record(path)
    state = {name: record[name] for name in record.dtype.names}
    try:
        _check_state(path, state)
    except (ValueError, TypeError, IndexError) as error:      # a field of the wrong kind
        raise CheckpointError(f"checkpoint {path} is malformed ({error})") from None
    return state


def _check_state(path: str, state: dict) -> None:
    missing = [name for name in HEADER_FIELDS if name not in state]
    if missing:
        raise CheckpointError(f"checkpoint {path} lacks the field(s) {', '.join(missing)}")
    if int(state["format"]) != FORMAT:
        raise CheckpointError(f"checkpoint {path} has format {int(state['format'])}; "
                              f"this program reads format {FORMAT}")
    _check_weights(path, state)
    _check_progress(path, state)


def _check_weights(path: str, state: dict) -> None:
    dims = [int(d) for d in state["layers_dim"]]
    for i in range(len(dims) - 1):
        for name, shape in ((f"w{i}", (dims[i + 1], dims[i])), (f"b{i}", (dims[i + 1], 1))):
            if name not in state:
                raise CheckpointError(f"checkpoint {path} lacks the field {name}")
            value = state[name]
            if value.shape != shape or value.dtype.kind != "f":
                raise CheckpointError(f"checkpoint {path}: {name} has shape {value.shape} "
                                      f"({value.dtype}), layers_dim {dims} needs {shape} float")
            if not np.all(np.isfinite(value)):
                raise CheckpointError(f"checkpoint {path}: {name} holds non-finite values")


def _check_progress(path: str, state: dict) -> None:
    epoch, iteration = int(state["epoch"]), int(state["iteration"])
    if epoch < 0 or iteration < 0 or len(state["loss_history"]) != epoch:
        raise CheckpointError(f"checkpoint {path}: epoch {epoch}, iteration {iteration} and "
                              f"{len(state['loss_history'])} recorded losses do not agree")
    if len(state["snapshot_epochs"]) != len(state["snapshot_outputs"]):
        raise CheckpointError(f"checkpoint {path}: snapshot_epochs and snapshot_outputs differ in length")
