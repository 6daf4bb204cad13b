"""Read the original program's checkpoint (a pickled dict) without ever running code from it.

The original saves ``np.save("ckpt.npy", {"layers_dim": [...], "parameters": [Linear, ...]})``:
a .npy file holding a pickle.  Unpickling can call any function the file names,
so code/run/unpickle.py reads it with holders of its own for the four names
the file uses; the arrays are built from checked shapes, dtypes and bytes.
Then every value is checked against what the original writes.
"""

import io
import os

import numpy as np

from code.run import names
from code.run.checkpoint import read_npy_header
from code.run.checks import CheckpointError
from code.run.unpickle import LinearWeights, load_restricted, shown

MAX_FILE = 2**30                     # bytes: the original's [1, 25, 1] checkpoint is about 2 KB


class OriginalFormatError(Exception):
    """The file is not the original program's checkpoint; the message says why."""


def _read_pickled_dict(path: str) -> dict:
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise OriginalFormatError("it is not a .npy file (the original saves its checkpoint with np.save)")
        f.seek(0)
        try:
            shape, _, dtype = read_npy_header(f)
        except ValueError as error:
            raise OriginalFormatError(str(error)) from None
        if dtype != np.dtype(object) or shape != ():
            raise OriginalFormatError(f"it holds a {dtype} array of shape {shape}, not the original's pickled dict "
                               "(a checkpoint of this program resumes as it is, without --import-original)")
        if os.fstat(f.fileno()).st_size > MAX_FILE:
            raise OriginalFormatError(f"it is larger than {MAX_FILE:,} bytes, far more than the original writes")
        payload = io.BytesIO(f.read())                  # reads ask no more than the file holds
    try:
        content = load_restricted(payload)
    except Exception as error:  # noqa: BLE001 -- refused globals, truncation, damage: all one answer
        raise OriginalFormatError(f"it cannot be read safely ({shown(error, 200)})") from None
    if not isinstance(content, dict):
        raise OriginalFormatError(f"it holds a {type(content).__name__}, not the original's dict")
    return content


def _layers_dim(content: dict) -> list:
    dims = content.get("layers_dim")
    if (not isinstance(dims, (list, tuple)) or len(dims) < 2
            or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 10**6 for d in dims)):
        raise OriginalFormatError(f"its layers_dim ({describe(dims)}) is not a list of at least two positive sizes")
    return list(dims)


def describe(value) -> str:
    """What a value from the file is, in a few words, never its (possibly enormous, nested) repr."""
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    return f"a {type(value).__name__}" if not isinstance(value, (int, float, str)) else shown(repr(value))


def _array(value, shape: tuple, name: str) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.dtype not in (np.float64, np.float32) or value.shape != shape:
        raise OriginalFormatError(f"its {name} is {describe(value)}; layers_dim needs a float64 array of shape {shape}")
    if not np.all(np.isfinite(value)):
        raise OriginalFormatError(f"its {name} holds a weight that is not finite (NaN or infinite)")
    return value.astype(np.float64)


def read_original(path: str) -> tuple:
    """(layers_dim, {'w0': ..., 'b0': ..., ...}) from the original program's checkpoint at ``path``.
    OriginalFormatError for anything else; no code from the file ever runs."""
    content = _read_pickled_dict(path)
    dims = _layers_dim(content)
    layers = content.get("parameters")
    if not isinstance(layers, (list, tuple)) or len(layers) != len(dims) - 1:
        raise OriginalFormatError(f"its parameters are not a list of {len(dims) - 1} layers for layers_dim {dims}")
    params = {}
    for i, layer in enumerate(layers):
        if not isinstance(layer, LinearWeights):
            raise OriginalFormatError(f"its layer {i} is {describe(layer)}, not the original's Linear")
        params[f"w{i}"] = _array(layer.weight, (dims[i + 1], dims[i]), f"layer {i}'s weight")
        params[f"b{i}"] = _array(layer.bias, (dims[i + 1], 1), f"layer {i}'s bias")
    return dims, params


def import_checkpoint(source: str, ckpt_path: str) -> tuple:
    """(layers_dim, parameters) of the original's checkpoint at ``source``, to be written at
    ``ckpt_path``; CheckpointError for a file that is not the original's, or an existing ``ckpt_path``
    (an import never overwrites a checkpoint)."""
    if os.path.lexists(ckpt_path):
        raise CheckpointError(f"checkpoint {names.shown(ckpt_path)} exists already; --import-original never overwrites "
                              "one: move it away, or give another --ckpt-path or --out")
    return read_source(source)


def read_source(source: str) -> tuple:
    """(layers_dim, parameters) of the original's checkpoint at ``source``; CheckpointError if it is not one."""
    if not os.path.isfile(source):
        kind = "missing" if not os.path.lexists(source) else "not a regular file"
        raise CheckpointError(f"cannot import {names.shown(source)}: it is {kind}")
    try:
        return read_original(source)
    except OSError as error:
        raise CheckpointError(f"cannot import {names.shown(source)}: {error.strerror or error}") from None
    except OriginalFormatError as error:
        raise CheckpointError(f"cannot import {names.shown(source)}: {error}") from None
