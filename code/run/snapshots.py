"""Snapshots of the parameters at chosen epochs, for the figures: which epochs, and the parameters
as one flat vector (what the checkpoint stores, and what a figure turns back into arrays)."""

import numpy as np

PER_DECADE = 20                          # animation snapshots per factor of 10: 1, 2, 3, ..., 100, 112, 126, ...


def log_grid(last_epoch: int) -> list:
    """Epochs 1 .. last_epoch spaced on a log scale, about PER_DECADE per decade (early epochs change
    the most); the same for every run whatever its total, so a resumed run keeps the same ones."""
    grid, k = [], 0
    while round(10 ** (k / PER_DECADE)) <= last_epoch:
        epoch = round(10 ** (k / PER_DECADE))
        if not grid or epoch > grid[-1]:
            grid.append(epoch)
        k += 1
    return grid


def snapshot_epochs(cfg) -> set:
    """The epochs whose parameters training keeps: the progress figure's epochs and, when the
    animation is on, the log grid its frames are taken from."""
    frames = log_grid(cfg.total_epochs) if cfg.animation_path else []
    return set(cfg.progress_epochs) | set(frames)


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


def parameter_shapes(dims: list) -> dict:
    """{'w0': (out, in), 'b0': (out, 1), ...}: the parameters of a net of layers_dim ``dims``."""
    shapes = {}
    for i in range(len(dims) - 1):
        shapes[f"w{i}"] = (dims[i + 1], dims[i])
        shapes[f"b{i}"] = (dims[i + 1], 1)
    return shapes
