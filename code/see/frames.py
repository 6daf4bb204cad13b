"""Which epochs the animation shows: spread over the epochs where the picture changes.

The snapshots are log-spaced (20 a decade), so taking them evenly by rank puts half the frames in
the first few hundred epochs, where the fit hardly moves.  Here each frame is placed at an equal
step of how far the picture has travelled (its root-mean-square change from snapshot to
snapshot), blended with a quarter of equal steps by rank, so slow stretches keep a few frames.
"""

import numpy as np

from code.lib.chunks import predict
from code.run.snapshots import unflat
from code.see.maps import class_probabilities

BY_RANK = 0.25                       # the share of equal steps by rank in each frame's place


def travelled(pictures: np.ndarray) -> np.ndarray:
    """(E,) from 0 to 1: how far the pictures (E, n), one a snapshot, have moved up to each one."""
    steps = np.sqrt(np.mean(np.diff(pictures, axis=0) ** 2, axis=1))            # (E - 1,)
    total = np.concatenate([[0.0], np.cumsum(np.nan_to_num(steps, posinf=0.0))])
    return total / total[-1] if total[-1] > 0 else np.linspace(0, 1, len(pictures))


def spread_frames(epochs: list, pictures: np.ndarray, frames: int) -> list:
    """``frames`` of the ``epochs`` (sorted, E of them), at equal steps of the blend of the
    pictures' travel and the rank; first and last kept, none twice."""
    if len(epochs) <= frames:
        return list(epochs)
    place = (1 - BY_RANK) * travelled(pictures) + BY_RANK * np.linspace(0, 1, len(epochs))
    picks = set(np.searchsorted(place, np.linspace(0, 1, frames)).clip(0, len(epochs) - 1).tolist()) | {0}
    picks.add(len(epochs) - 1)
    picks = sorted(picks)
    while len(picks) < frames:                              # two frames fell on one snapshot: fill the widest gap
        gaps = np.diff(picks)
        widest = int(np.argmax(gaps))
        picks.insert(widest + 1, picks[widest] + int(gaps[widest]) // 2)
    return [epochs[i] for i in picks[:frames - 1] + picks[-1:]]


def snapshot_pictures(trainer, net, inputs: np.ndarray, epochs: list) -> np.ndarray:
    """(E, ...) what the animation's first panel draws at each snapshot epoch: the output over the
    inputs (1, n), or each class's probability for a classifier; ``net`` holds each in turn."""
    pictures = []
    for epoch in epochs:
        net.load_parameters(unflat(trainer.snapshots[epoch], trainer.cfg.layers_dim))
        with np.errstate(over="ignore", invalid="ignore"):
            output = predict(net, inputs)
        pictures.append(class_probabilities(output).ravel() if trainer.cfg.loss == "cross_entropy" else output[0])
    return np.array(pictures)
