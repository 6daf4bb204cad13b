"""The checkpoint: one NumPy structured record in a plain .npy file, no pickle, with a checksum.

Read it with nothing but NumPy::

    ckpt = np.load("ckpt.npy", allow_pickle=False)   # a 0-d record
    ckpt["epoch"], ckpt["layers_dim"], ckpt["w0"], ckpt["b0"], ...

Fields (see FIELDS): the net (layers_dim, activation), the progress (epoch,
iteration), how it was trained (learning_rate, batch_size, ...; data: a
fingerprint of the data), snapshots of the parameters at some epochs, the
weights w0, b0, w1, ..., the optimizer's state (optim_...), and checksum: the
SHA-256 of every other field, so any changed byte is refused.  Its size does
not grow with the number of epochs: the per-epoch history is in metrics.csv.
"""

import hashlib
import os

import numpy as np

from code.run.atomic import write_atomically
from code.run.checks import CheckpointError, check_state
from code.run.names import shown

REFUSE_PICKLE = ("refusing to load it, since unpickling can run any code. To go on from the original "
                 "program's checkpoint, convert it with --import-original PATH --out DIR; or move it away "
                 "to train afresh, or choose another --ckpt-path or --out")


# ---- writing ------------------------------------------------------------------------------------------
def to_record(state: dict) -> np.ndarray:
    """A 0-d structured array: one field per entry of ``state``, then ``checksum``."""
    arrays = {name: np.asarray(value) for name, value in state.items()}
    dtype = np.dtype([(name, a.dtype, a.shape) for name, a in arrays.items()] + [("checksum", "<U64")])
    record = np.zeros((), dtype=dtype)
    for name, a in arrays.items():
        record[name] = a
    record["checksum"] = checksum(record)
    return record


def checksum(record: np.ndarray) -> str:
    """SHA-256 over every field but ``checksum``: its name, dtype, shape and bytes."""
    digest = hashlib.sha256()
    for name in record.dtype.names:
        if name != "checksum":
            value = np.ascontiguousarray(record[name])
            digest.update(f"{name}:{value.dtype.str}:{value.shape};".encode())
            digest.update(value.tobytes())
    return digest.hexdigest()


def save_checkpoint(path: str, state: dict) -> None:
    """Write ``state`` to ``path`` atomically (see atomic.py): a crash at any moment leaves the old
    or the new file whole at ``path``; a symlink is written through.  The same state always gives
    the same bytes."""
    record = to_record(state)
    try:                                              # a file object: np.save adds no ".npy"
        write_atomically(path, lambda f: np.save(f, record, allow_pickle=False), "checkpoint")
    except OSError as error:
        raise CheckpointError(f"{error}; the previous checkpoint, if any, is unchanged") from None


# ---- reading ------------------------------------------------------------------------------------------
def read_npy_header(f) -> tuple:
    """(shape, fortran_order, dtype) from the .npy header at the start of the open file ``f``.
    ValueError for any damage: the header is a Python literal, whose parser raises many kinds."""
    try:
        version = np.lib.format.read_magic(f)
        read = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        return read[version](f)
    except Exception:  # noqa: BLE001 -- a damaged header raises anything the literal parser can
        raise ValueError("its .npy header cannot be read") from None


def _read_header(path: str) -> np.dtype:
    """The record's dtype from the .npy header, checked against the file before anything is read."""
    with open(path, "rb") as f:
        head = f.read(6)
        if head[:1] == b"\x80":                      # how every pickle since protocol 2 begins
            raise CheckpointError(f"checkpoint {shown(path)} is a pickle; {REFUSE_PICKLE}")
        if head != b"\x93NUMPY":
            raise CheckpointError(f"checkpoint {shown(path)} is not a .npy file (empty, or some other format)")
        f.seek(0)
        try:
            shape, fortran_order, dtype = read_npy_header(f)
        except ValueError as error:
            raise CheckpointError(f"checkpoint {shown(path)} is damaged: {error}") from None
        if fortran_order:                            # never written by save_checkpoint
            raise CheckpointError(f"checkpoint {shown(path)} is damaged: its .npy header is not the one we write")
        data_bytes = os.fstat(f.fileno()).st_size - f.tell()
    if dtype.hasobject:
        raise CheckpointError(f"checkpoint {shown(path)} holds pickled Python objects (as the original "
                              f"program wrote them); {REFUSE_PICKLE}")
    if dtype.names is None or shape != ():
        raise CheckpointError(f"checkpoint {shown(path)} holds a plain {dtype} array of shape {shape}, "
                              "not a checkpoint record")
    if data_bytes != dtype.itemsize:                 # before allocating what the header declares
        raise CheckpointError(f"checkpoint {shown(path)} is damaged: its header declares {dtype.itemsize} bytes "
                              f"of data, the file holds {data_bytes}")
    return dtype


def load_checkpoint(path: str) -> dict:
    """Read and check a checkpoint; return {field: array}.  CheckpointError if it is unusable:
    the file is then left as it was."""
    if not os.path.isfile(path):
        kind = "a folder" if os.path.isdir(path) else "missing" if not os.path.exists(path) else "not a regular file"
        raise CheckpointError(f"checkpoint {shown(path)} is {kind}")
    try:
        _read_header(path)
        record = np.load(path, allow_pickle=False)
    except CheckpointError:
        raise
    except Exception as error:  # noqa: BLE001 -- whatever NumPy raises on a damaged file
        raise CheckpointError(f"checkpoint {shown(path)} cannot be read ({type(error).__name__})") from None
    if "checksum" not in record.dtype.names or str(record["checksum"]) != checksum(record):
        raise CheckpointError(f"checkpoint {shown(path)} is damaged: its checksum does not match its contents")
    state = {name: record[name] for name in record.dtype.names if name != "checksum"}
    check_state(path, state)
    return state


