"""Read the original program's checkpoint (a pickled dict) without ever running code from it.

The original saves ``np.save("ckpt.npy", {"layers_dim": [...], "parameters": [Linear, ...]})``:
a .npy file holding a pickle.  Unpickling can call any function the file names,
so we use Python's documented "restricting globals" pattern (as PyTorch's
``torch.load(weights_only=True)`` does): ``find_class`` resolves only NumPy's
array reconstruction, ``numpy.ndarray``, ``numpy.dtype`` and the original's
``Linear`` (mapped onto a plain holder of ``weight`` and ``bias``); anything
else is refused before it is called.
"""

import os
import pickle

import numpy as np

from code.run.checkpoint import read_npy_header
from code.run.checks import CheckpointError

MAX_ELEMENTS = 10**8                 # no array the original writes is larger; refuse before allocating
_reconstruct = np.ndarray(0).__reduce__()[0]      # numpy's own array-reconstruction function


class OriginalFormatError(Exception):
    """The file is not the original program's checkpoint; the message says why."""


class LinearWeights:
    """What the original's ``Linear`` becomes: only its ``weight`` and ``bias`` are kept."""

    def __setstate__(self, state):
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("a Linear whose state is not a dict")
        self.weight, self.bias = state.get("weight"), state.get("bias")


def _safe_reconstruct(subtype, shape, dtype):
    """numpy's _reconstruct, for plain ndarrays of a reasonable size only."""
    if (subtype is not np.ndarray or not isinstance(shape, tuple) or len(shape) > 32
            or not all(isinstance(n, int) and 0 <= n <= MAX_ELEMENTS for n in shape)
            or int(np.prod(shape, dtype=object)) > MAX_ELEMENTS):
        raise pickle.UnpicklingError("an array of an unexpected kind or size")
    return _reconstruct(subtype, shape, dtype)


def _allowed(module: str, name: str):
    if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        return _safe_reconstruct
    if (module, name) == ("numpy", "ndarray"):
        return np.ndarray
    if (module, name) == ("numpy", "dtype"):
        return np.dtype
    if name == "Linear" and module.split(".")[-1] == "Linear":    # code.lib.Module.Linear, lib.Module.Linear
        return LinearWeights
    return None


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        found = _allowed(module, name)
        if found is None:
            raise pickle.UnpicklingError(f"it names {module}.{name}, which the original's checkpoint never does")
        return found

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("it holds persistent references")


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
        try:
            array = RestrictedUnpickler(f).load()
        except Exception as error:  # noqa: BLE001 -- refused globals, truncation, damage: all one answer
            raise OriginalFormatError(f"it cannot be read safely ({error})") from None
    if not isinstance(array, np.ndarray) or array.dtype != object or array.shape != ():
        raise OriginalFormatError("it does not hold one pickled object")
    content = array.item()
    if not isinstance(content, dict):
        raise OriginalFormatError(f"it holds a {type(content).__name__}, not the original's dict")
    return content


def _layers_dim(content: dict) -> list:
    dims = content.get("layers_dim")
    if (not isinstance(dims, (list, tuple)) or len(dims) < 2
            or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 10**6 for d in dims)):
        raise OriginalFormatError(f"its layers_dim {dims!r} is not a list of at least two positive sizes")
    return list(dims)


def _array(value, shape: tuple, name: str) -> np.ndarray:
    if (not isinstance(value, np.ndarray) or value.dtype.kind != "f" or value.shape != shape
            or not np.all(np.isfinite(value))):
        shown = f"{value.dtype} {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
        raise OriginalFormatError(f"its {name} is {shown}; layers_dim needs a finite float array of shape {shape}")
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
            raise OriginalFormatError(f"its layer {i} is a {type(layer).__name__}, not the original's Linear")
        params[f"w{i}"] = _array(layer.weight, (dims[i + 1], dims[i]), f"layer {i}'s weight")
        params[f"b{i}"] = _array(layer.bias, (dims[i + 1], 1), f"layer {i}'s bias")
    return dims, params


def import_checkpoint(source: str, ckpt_path: str) -> tuple:
    """(layers_dim, parameters) of the original's checkpoint at ``source``, to be written at
    ``ckpt_path``; CheckpointError for a file that is not the original's, or an existing ``ckpt_path``
    (an import never overwrites a checkpoint)."""
    if os.path.lexists(ckpt_path):
        raise CheckpointError(f"checkpoint {ckpt_path} exists already; --import-original never overwrites "
                              "one: move it away, or give another --ckpt-path")
    if not os.path.isfile(source):
        kind = "missing" if not os.path.lexists(source) else "not a regular file"
        raise CheckpointError(f"cannot import {source}: it is {kind}")
    try:
        return read_original(source)
    except OSError as error:
        raise CheckpointError(f"cannot import {source}: {error.strerror or error}") from None
    except OriginalFormatError as error:
        raise CheckpointError(f"cannot import {source}: {error}") from None
