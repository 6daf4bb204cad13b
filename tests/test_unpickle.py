"""The original's pickle read without handing NumPy a crafted state (issue 22, part 4)."""

import io
import os
import pickle
import struct
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT
from test_faults import assert_one_line_error

from code.run.unpickle import ArrayState, load_restricted

RECONSTRUCT = np.ndarray(0).__reduce__()[0]                     # numpy's own, to write the files with


class Recipe:
    """Pickles as numpy's array recipe, _reconstruct(ndarray, (0,), b'b') then BUILD(state): any state."""

    def __init__(self, state):
        self.state = state

    def __reduce__(self):
        return RECONSTRUCT, (np.ndarray, (0,), b"b"), self.state


def npy_of(payload: bytes) -> bytes:
    """A .npy file of object dtype, shape (), holding ``payload`` as its pickle."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "|O", "fortran_order": False, "shape": ()})
    return buffer.getvalue() + payload


def wrapper(content) -> bytes:
    """np.save's pickle of ``content``: a 0-d object array around it."""
    return pickle.dumps(Recipe((1, (), np.dtype(object), False, [content])), protocol=3)   # no frames


def test_the_254_byte_crash_is_one_line(run_main, tmp_path):
    crafted = npy_of(pickle.dumps(Recipe((1, (3,), np.dtype(object), False, [1])), protocol=4))
    assert len(crafted) < 300
    (tmp_path / "crash.npy").write_bytes(crafted)
    assert_one_line_error(run_main("--import-original", "crash.npy"), "cannot import crash.npy",
                          "an object array other than np.save's wrapper")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crash.npy"]


@pytest.mark.parametrize("state,fragment", [
    ((1, (2,), np.dtype("f8"), False, b"\0" * 15), "bytes do not fit"),
    ((1, (2,), np.dtype("f16"), False, b"\0" * 32), "dtype"),           # long doubles: never the original's
    ((1, (10**9, 10**9), np.dtype("f8"), False, b""), "unexpected shape"),
    ((1, (2,), "f8", False, b"\0" * 16), "unexpected state")])
def test_crafted_array_states_are_refused_before_numpy_sees_them(state, fragment):
    with pytest.raises(pickle.UnpicklingError, match=fragment):
        load_restricted(io.BytesIO(pickle.dumps(Recipe(state), protocol=4)))


def test_an_honest_array_is_built_from_its_bytes():
    values = np.arange(6.0).reshape(2, 3)
    rebuilt = load_restricted(io.BytesIO(pickle.dumps(values, protocol=4)))
    assert rebuilt.dtype == np.float64 and np.array_equal(rebuilt, values) and rebuilt.flags.writeable
    fortran = np.asfortranarray(values)
    assert np.array_equal(load_restricted(io.BytesIO(pickle.dumps(fortran, protocol=4))), values)


@pytest.mark.parametrize("layers_dim,fragment", [
    ("NESTED", "its layers_dim (a list of 1)"), (["a\nb\x1b[31m"], "its layers_dim (a list of 1)"),
    ([1, 1], "not the original's Linear")])
def test_odd_contents_are_one_line_without_their_repr(run_main, tmp_path, layers_dim, fragment):
    payload = wrapper({"layers_dim": layers_dim, "parameters": [np.full((1, 1), np.nan)]})
    deep = b"(" * 200_000 + b"]" + b"l" * 200_000                  # a list 200,000 lists deep, in opcodes
    payload = payload.replace(b"X\x06\x00\x00\x00NESTED", deep)   # (pickling it would recurse)
    (tmp_path / "odd.npy").write_bytes(npy_of(payload))
    result = run_main("--import-original", "odd.npy")
    assert_one_line_error(result, fragment)
    assert "\x1b" not in result.stderr and len(result.stderr) < 400


def test_a_nan_weight_is_refused_saying_so(run_main, tmp_path):
    from test_import_original import write_original_checkpoint

    def with_nan(layers):
        layers[0].weight[0, 0] = np.nan
        return {"layers_dim": [1, 3, 1], "parameters": layers}
    write_original_checkpoint(tmp_path / "nan.npy", [1, 3, 1], with_nan)
    assert_one_line_error(run_main("--import-original", "nan.npy"), "not finite (NaN or infinite)")


def test_a_name_from_the_file_is_printed_escaped(run_main, tmp_path):
    payload = b"\x80\x02c" + b"evil\x1b[2J\nmodule\n" + b"sys\x07tem\n" + b"."
    (tmp_path / "names.npy").write_bytes(npy_of(payload))
    result = run_main("--import-original", "names.npy")
    assert_one_line_error(result, "it names evil\\x1b[2J")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_a_fifo_as_the_import_path_is_named_not_waited_on(run_main, tmp_path):
    os.mkfifo(tmp_path / "pipe.npy")
    assert_one_line_error(run_main("--import-original", "pipe.npy"), "pipe.npy", "not a regular file")


FUZZ = r"""
import io, random, struct, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from code.run.unpickle import load_restricted
rng = random.Random(int(sys.argv[2]))
GLOBALS = [b"cnumpy.core.multiarray\n_reconstruct\n", b"cnumpy._core.multiarray\n_reconstruct\n",
           b"cnumpy\nndarray\n", b"cnumpy\ndtype\n", b"clib.Module.Linear\nLinear\n"]
def small():
    return rng.choice([b"K" + bytes([rng.randrange(256)]), b"J" + struct.pack("<i", rng.randrange(-9, 2**31)),
                       b"C" + bytes([n := rng.randrange(40)]) + bytes(rng.randrange(256) for _ in range(n)),
                       b"U" + bytes([n := rng.randrange(6)]) + rng.choice([b"f8", b"O8", b"f16", b"<", b"|", b"i4"])[:n].ljust(n, b"x"),
                       b"N", b"\x88", b"\x89"])
PIECES = [lambda: rng.choice(GLOBALS), small, lambda: b"(", lambda: b"t", lambda: b"]", lambda: b"a", lambda: b"}",
          lambda: b"s", lambda: b"R", lambda: b"b", lambda: b"\x85", lambda: b"\x86", lambda: b"\x87", lambda: b"e",
          lambda: b"0", lambda: b"2", lambda: b"l", lambda: b"d"]
survived = 0
for _ in range(int(sys.argv[3])):
    stream = b"\x80\x02" + b"".join(rng.choice(PIECES)() for _ in range(rng.randrange(3, 60))) + b"."
    try:
        load_restricted(io.BytesIO(stream))
    except Exception:
        pass
    survived += 1
print(survived)
"""


def test_a_generated_stream_of_crafted_files_never_kills_the_interpreter():
    result = subprocess.run([sys.executable, "-c", FUZZ, ROOT, "7", "20000"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, (result.returncode, result.stderr[-500:])   # a signal: negative
    assert result.stdout.strip() == "20000"


def test_the_holders_are_never_numpys_own():
    state = ArrayState(ArrayState)
    state.__setstate__((1, (2,), pickle.loads(pickle.dumps(np.dtype("f8"))) and load_dtype("f8"), False,
                        struct.pack("<2d", 1.5, -2.0)))
    assert state.value.tolist() == [1.5, -2.0]


def load_dtype(code: str):
    from code.run.unpickle import DtypeSpec
    return DtypeSpec(code)
