"""A pickle reader for the original program's checkpoint that calls nothing the file names.

Unpickling normally calls whatever functions the file names, and hands NumPy whatever state the
file holds (a crafted state can crash the interpreter).  Here Python's "restricting globals"
pattern goes one step further: each of the four names the original's file uses becomes a plain
holder of ours, never NumPy's own function or class:

    numpy.core.multiarray._reconstruct, numpy.ndarray  ->  ArrayState (an array's recipe)
    numpy.dtype                                          ->  DtypeSpec (a checked type code)
    <anything>.Linear.Linear                             ->  LinearWeights (weight and bias)

An array is built by us, at the end, from a checked shape, a numeric dtype and bytes of exactly the
right length (``np.frombuffer``); object arrays exist only as the one 0-d wrapper np.save puts
around the dict.  Anything else is refused before it is called.

The arrays' bytes are counted as they are built, against the file's own size: a real checkpoint
holds each array's bytes once, while a crafted one can make its memo hand one buffer to any number
of arrays (a few megabytes of file, gigabytes of copies).  Such a file is refused before the copy.
"""

import io
import math
import pickle

import numpy as np

MAX_ELEMENTS = 10**8                 # no array the original writes is larger; refuse before allocating
NUMERIC = {"f8", "f4", "f2", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1"}
OBJECT = {"O8", "O4"}


def shown(text, limit: int = 60) -> str:
    """Text from the file, printable on one line: newlines, escape sequences and other unprintable
    characters written as their escapes; at most ``limit`` characters."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))[:limit]


class DtypeSpec:
    """numpy.dtype(code, align, copy) as the file asks for it: a type code from a short list."""

    def __init__(self, code="", align=False, copy=True):
        if not isinstance(code, str) or code not in NUMERIC | OBJECT:
            raise pickle.UnpicklingError(f"a dtype {shown(code)!r} the original never writes")
        self.code, self.order = code, "|" if code in OBJECT else "<"

    def __setstate__(self, state):
        if not (isinstance(state, tuple) and len(state) >= 2 and state[1] in ("<", ">", "|", "=")):
            raise pickle.UnpicklingError("a dtype with an unexpected state")
        self.order = state[1]

    def numpy(self) -> np.dtype:
        return np.dtype(self.code if self.order == "|" else self.order + self.code)


class ByteBudget:
    """The bytes the arrays of one file may hold in all: refused past ``limit``."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def take(self, size: int) -> None:
        if self.used + size > self.limit:
            raise pickle.UnpicklingError(f"its arrays hold more than {self.limit:,} bytes, the size of the file "
                                         "itself: one buffer referenced by many arrays")
        self.used += size


class ArrayState:
    """numpy's _reconstruct(ndarray, ...) and the state BUILD gives it: kept, checked, built by us.
    ``budget``: a ByteBudget its bytes are taken from (a class of one unpickler's own), or None."""

    budget = None

    def __init__(self, subtype=None, shape=None, dtype=None):
        if subtype is not type(self):
            raise pickle.UnpicklingError("an array of an unexpected kind")
        self.value = None

    def __setstate__(self, state):
        if not (isinstance(state, tuple) and len(state) == 5 and isinstance(state[2], DtypeSpec)):
            raise pickle.UnpicklingError("an array with an unexpected state")
        _, shape, spec, fortran, data = state
        if (not isinstance(shape, tuple) or len(shape) > 8
                or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_ELEMENTS for n in shape)
                or math.prod(shape) > MAX_ELEMENTS):
            raise pickle.UnpicklingError("an array of an unexpected shape")
        if spec.code in OBJECT:                                # np.save's 0-d wrapper of the dict, nothing else
            if shape != () or not isinstance(data, list) or len(data) != 1:
                raise pickle.UnpicklingError("an object array other than np.save's wrapper")
            self.value = data[0]
            return
        dtype = spec.numpy()
        if not isinstance(data, bytes) or len(data) != math.prod(shape) * dtype.itemsize:
            raise pickle.UnpicklingError("an array whose bytes do not fit its shape and dtype")
        if self.budget is not None:
            self.budget.take(len(data))
        self.value = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C").copy()


class LinearWeights:
    """What the original's ``Linear`` becomes: only its ``weight`` and ``bias`` are kept."""

    def __setstate__(self, state):
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("a Linear whose state is not a dict")
        self.weight, self.bias = (_value(state.get(name)) for name in ("weight", "bias"))


def _value(held):
    return held.value if isinstance(held, ArrayState) else held


def _allowed(module: str, name: str):
    if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        return ArrayState
    if (module, name) == ("numpy", "ndarray"):
        return ArrayState                                      # the subtype _reconstruct is given
    if (module, name) == ("numpy", "dtype"):
        return DtypeSpec
    if name == "Linear" and module.split(".")[-1] == "Linear":    # code.lib.Module.Linear, lib.Module.Linear
        return LinearWeights
    return None


class RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, f, budget: ByteBudget):
        super().__init__(f)
        self.arrays = type("ArrayState", (ArrayState,), {"budget": budget})    # this file's arrays

    def find_class(self, module: str, name: str):
        found = _allowed(module, name)
        if found is ArrayState:
            return self.arrays
        if found is None:
            raise pickle.UnpicklingError(f"it names {shown(module)}.{shown(name)}, which the original's "
                                         "checkpoint never does")
        return found

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("it holds persistent references")


def load_restricted(f: io.BytesIO):
    """The object np.save pickled into an object .npy file ``f`` (the file's bytes, positioned after
    its header); its arrays together hold at most as many bytes as ``f``."""
    return _value(RestrictedUnpickler(f, ByteBudget(len(f.getbuffer()))).load())
