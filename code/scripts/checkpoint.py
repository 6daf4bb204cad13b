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
import tempfile

import numpy as np

FORMAT = 2
FIELDS = {                       # name -> (kind, number of dimensions), checked at load
    "format": ("int", 0), "layers_dim": ("int", 1), "activation": ("text", 0),
    "epoch": ("int", 0), "iteration": ("int", 0), "imported": ("int", 0),
    "learning_rate": ("float", 0), "batch_size": ("int", 0), "seed": ("int", 0), "init": ("text", 0),
    "optimizer": ("text", 0), "momentum": ("float", 0), "betas": ("float", 1), "eps": ("float", 0),
    "shuffle": ("int", 0), "noise": ("float", 0), "val_fraction": ("float", 0), "data": ("text", 0),
    "snapshot_epochs": ("int", 1), "snapshot_params": ("float", 2),
}
REFUSE_PICKLE = ("refusing to load it, since unpickling can run any code. To go on from the original "
                 "program's checkpoint, convert it with --import-original PATH; or train afresh with "
                 "--no-resume, or choose another --ckpt-path")


class CheckpointError(Exception):
    """A checkpoint that cannot be read or written; the message names the path."""


# ---- writing ------------------------------------------------------------------------------------------
def make_state(settings: dict, epoch: int, iteration: int, imported: bool, snapshots: dict,
               params: dict, optimizer_state: dict) -> dict:
    """Every field of a checkpoint, in order (the checksum is added by to_record).

    settings: how the run trains (settings below); snapshots: {epoch: flat parameters (P,)};
    params: {'w0': ..., 'b0': ...}; optimizer_state: {name: array}, saved as optim_<name>.
    """
    epochs = sorted(snapshots)
    size = sum(np.size(p) for p in params.values())
    return {"format": FORMAT, **settings, "epoch": epoch, "iteration": iteration, "imported": int(imported),
            "snapshot_epochs": np.array(epochs, dtype=np.int64),
            "snapshot_params": np.array([snapshots[e] for e in epochs], dtype=np.float64).reshape(len(epochs), size),
            **params, **{"optim_" + name: value for name, value in optimizer_state.items()}}


def settings(cfg, net, x: np.ndarray, y: np.ndarray, held_out: np.ndarray) -> dict:
    """How a run trains, in the checkpoint's form (see FIELDS): what a resume compares."""
    return {"layers_dim": np.array(net.layers_dim, dtype=np.int64), "activation": net.activation,
            "learning_rate": float(cfg.learning_rate), "batch_size": cfg.batch_size, "seed": cfg.seed,
            "init": cfg.init, "optimizer": cfg.optimizer, "momentum": float(cfg.momentum),
            "betas": np.array(cfg.betas, dtype=float), "eps": float(cfg.eps), "shuffle": int(cfg.shuffle),
            "noise": float(cfg.noise), "val_fraction": float(cfg.val_fraction),
            "data": fingerprint(x, y, held_out)}


def optimizer_state(state: dict) -> dict:
    """The optimizer's arrays in a loaded checkpoint: its optim_<name> fields, keyed by name."""
    return {name[len("optim_"):]: value for name, value in state.items() if name.startswith("optim_")}


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
    """Write ``state`` to ``path`` atomically: a temp file of this run in the same folder, then
    os.replace.  A crash at any moment leaves the old or the new file whole at ``path``.
    A symlink at ``path`` is written through: its target gets the new checkpoint.
    The same state always gives the same bytes."""
    record = to_record(state)
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(target) + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:                # a file object: np.save adds no ".npy"
            np.save(f, record, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException as error:                   # also Ctrl-C: never leave a partial temp file
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(error, OSError):
            raise CheckpointError(f"cannot write checkpoint {path}: {error.strerror or error}; "
                                  "the previous checkpoint, if any, is unchanged") from None
        raise
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
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
            raise CheckpointError(f"checkpoint {path} is a pickle; {REFUSE_PICKLE}")
        if head != b"\x93NUMPY":
            raise CheckpointError(f"checkpoint {path} is not a .npy file (empty, or some other format)")
        f.seek(0)
        try:
            shape, fortran_order, dtype = read_npy_header(f)
        except ValueError as error:
            raise CheckpointError(f"checkpoint {path} is damaged: {error}") from None
        if fortran_order:                            # never written by save_checkpoint
            raise CheckpointError(f"checkpoint {path} is damaged: its .npy header is not the one we write")
        data_bytes = os.fstat(f.fileno()).st_size - f.tell()
    if dtype.hasobject:
        raise CheckpointError(f"checkpoint {path} holds pickled Python objects (as the original "
                              f"program wrote them); {REFUSE_PICKLE}")
    if dtype.names is None or shape != ():
        raise CheckpointError(f"checkpoint {path} holds a plain {dtype} array of shape {shape}, "
                              "not a checkpoint record")
    if data_bytes != dtype.itemsize:                 # before allocating what the header declares
        raise CheckpointError(f"checkpoint {path} is damaged: its header declares {dtype.itemsize} bytes "
                              f"of data, the file holds {data_bytes}")
    return dtype


def load_checkpoint(path: str) -> dict:
    """Read and check a checkpoint; return {field: array}.  CheckpointError if it is unusable:
    the file is then left as it was."""
    if not os.path.isfile(path):
        kind = "a folder" if os.path.isdir(path) else "missing" if not os.path.exists(path) else "not a regular file"
        raise CheckpointError(f"checkpoint {path} is {kind}")
    try:
        _read_header(path)
        record = np.load(path, allow_pickle=False)
    except CheckpointError:
        raise
    except Exception as error:  # noqa: BLE001 -- whatever NumPy raises on a damaged file
        raise CheckpointError(f"checkpoint {path} cannot be read ({type(error).__name__})") from None
    if "checksum" not in record.dtype.names or str(record["checksum"]) != checksum(record):
        raise CheckpointError(f"checkpoint {path} is damaged: its checksum does not match its contents")
    state = {name: record[name] for name in record.dtype.names if name != "checksum"}
    check_state(path, state)
    return state


# ---- the checks -----------------------------------------------------------------------------------------
def _is_kind(value: np.ndarray, kind: str) -> bool:
    if kind == "int":
        return value.dtype.kind in "iu"
    if kind == "float":
        return value.dtype == np.float64 and bool(np.all(np.isfinite(value)))
    return value.dtype.kind == "U"


def check_state(path: str, state: dict) -> None:
    """CheckpointError unless every field has its kind, shape and a value that fits the others."""
    fail = _failer(path)
    if "format" not in state or not _is_kind(state["format"], "int") or int(state["format"]) != FORMAT:
        fail(f"is not of format {FORMAT}: written by another version of this program")
    for name, (kind, ndim) in FIELDS.items():
        if name not in state:
            fail(f"lacks the field {name}")
        if state[name].ndim != ndim or not _is_kind(state[name], kind):
            fail(f"field {name} is not {'a finite float64' if kind == 'float' else 'an integer' if kind == 'int' else 'text'} "
                 f"with {ndim} dimension(s)")
    dims = [int(d) for d in state["layers_dim"]]
    if len(dims) < 2 or min(dims) < 1:
        fail(f"layers_dim {dims} is not a list of at least two positive sizes")
    _check_weights(fail, state, dims)
    _check_progress(fail, state)


def _failer(path: str):
    def fail(message: str):
        raise CheckpointError(f"checkpoint {path}: {message}")
    return fail


def parameter_shapes(dims: list) -> dict:
    """{'w0': (out, in), 'b0': (out, 1), ...}: the parameters of a net of layers_dim ``dims``."""
    shapes = {}
    for i in range(len(dims) - 1):
        shapes[f"w{i}"] = (dims[i + 1], dims[i])
        shapes[f"b{i}"] = (dims[i + 1], 1)
    return shapes


def _check_weights(fail, state: dict, dims: list) -> None:
    shapes = parameter_shapes(dims)
    for name, shape in shapes.items():
        if name not in state:
            fail(f"lacks the field {name}")
        if state[name].shape != shape or not _is_kind(state[name], "float"):
            fail(f"{name} has shape {state[name].shape} ({state[name].dtype}); layers_dim {dims} "
                 f"needs {shape}, finite float64")
    for name, value in state.items():
        if name.startswith("optim_") and name != "optim_step":
            param = name.rsplit("_", 1)[-1]
            if param not in shapes or value.shape != shapes[param] or not _is_kind(value, "float"):
                fail(f"{name} is not a finite float64 array shaped like {param}")
    if "optim_step" in state and (not _is_kind(state["optim_step"], "int") or state["optim_step"].ndim != 0):
        fail("optim_step is not an integer")
    size = sum(int(np.prod(s)) for s in shapes.values())
    if state["snapshot_params"].shape[1:] != (size,):
        fail(f"snapshot_params has shape {state['snapshot_params'].shape}; the net has {size} parameters")


def _check_progress(fail, state: dict) -> None:
    epoch, iteration = int(state["epoch"]), int(state["iteration"])
    if epoch < 0 or iteration < epoch:
        fail(f"epoch {epoch} and iteration {iteration} do not agree (each epoch takes at least one update)")
    if int(state["batch_size"]) < 1 or float(state["learning_rate"]) <= 0:
        fail("batch_size and learning_rate must be positive")
    snapshots = state["snapshot_epochs"]
    if len(snapshots) != len(state["snapshot_params"]) or np.any(snapshots < 1) or np.any(snapshots > epoch):
        fail("snapshot_epochs do not fit snapshot_params and epoch")
    if len(state["betas"]) != 2:
        fail("betas must hold two numbers")


# ---- what a resumed run keeps, and what it may change ---------------------------------------------------
ANNOUNCED = ("learning_rate", "batch_size", "momentum", "betas", "eps", "shuffle")
IGNORED = ("seed", "init")                      # they only shape the initial weights


def _shown(value) -> str:
    value = value.tolist() if isinstance(value, np.ndarray) else value
    return str(value.item() if hasattr(value, "item") else value)


def resume_notes(path: str, state: dict, settings: dict) -> list:
    """One line per setting that differs from the checkpoint's (``settings``: this run's, in the
    checkpoint's form).  CheckpointError for what a resumed run cannot change: the net, the
    optimizer, the data."""
    same_net = all(_shown(state[k]) == _shown(settings[k]) for k in ("layers_dim", "activation"))
    if not same_net:
        raise CheckpointError(
            f"checkpoint {path} has layers_dim {_shown(state['layers_dim'])}, activation {state['activation']}; "
            f"config asks for layers_dim {_shown(settings['layers_dim'])}, activation {settings['activation']}. "
            "Train afresh with --no-resume, or give another --ckpt-path")
    if str(state["optimizer"]) != settings["optimizer"]:
        raise CheckpointError(f"checkpoint {path} was trained with optimizer {state['optimizer']}; this run asks "
                              f"for {settings['optimizer']}, whose state it does not hold. Keep --optimizer "
                              f"{state['optimizer']}, train afresh with --no-resume, or give another --ckpt-path")
    if str(state["data"]) != settings["data"]:
        raise CheckpointError(f"checkpoint {path} was trained on other data (fingerprint {state['data']}, "
                              f"this run's {settings['data']}). Train afresh with --no-resume, or give another "
                              "--ckpt-path")
    notes = []
    for key in ANNOUNCED + IGNORED:
        before, now = _shown(state[key]), _shown(settings[key])
        if before != now:
            ignored = " ignored: the weights come from the checkpoint" if key in IGNORED else ""
            notes.append(f"resume: {key} {before} -> {now}{ignored}")
    return notes


def fingerprint(*arrays: np.ndarray) -> str:
    """A short SHA-256 of the data's values and shapes: equal data, equal fingerprint."""
    digest = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a, dtype=np.float64)
        digest.update(f"{a.shape};".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()[:16]


def flat(params: dict) -> np.ndarray:
    """Every parameter array, raveled and joined in order: (P,)."""
    return np.concatenate([np.ravel(p) for p in params.values()])


def unflat(vector: np.ndarray, dims: list) -> dict:
    """The inverse of ``flat`` for a net of layers_dim ``dims``: {'w0': (out, in), 'b0': ..., ...}."""
    params, offset = {}, 0
    for name, shape in parameter_shapes(dims).items():
        size = int(np.prod(shape))
        params[name] = vector[offset:offset + size].reshape(shape)
        offset += size
    return params
