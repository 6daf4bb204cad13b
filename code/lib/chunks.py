"""Memory budgets for what a net computes on many points at once (issue 27).

A batch's activations are points x units values: the forward pass keeps z and a of every layer,
and the backward pass a dz of each.  Training refuses a batch beyond BATCH_VALUES before it starts.
Evaluation (test(), the figures, the decision map) runs the net on CHUNK_VALUES at a time instead,
so any number of points fits; the default run's 200 points are one chunk, the same call as before.
"""

import numpy as np

BATCH_VALUES = 2**25          # points x units of one training batch: about 0.8 GiB for z, a and dz
CHUNK_VALUES = 2**24          # points x units of one chunk of an evaluation: about 0.4 GiB


def chunk_points(layers_dim: list) -> int:
    """How many points one chunk of an evaluation holds: CHUNK_VALUES over the net's units."""
    return max(1, CHUNK_VALUES // sum(layers_dim))


def predict(net, x: np.ndarray) -> np.ndarray:
    """The net's output (out, N) on x (in, N), forwarded chunk_points(...) points at a time."""
    step = chunk_points(net.layers_dim)
    if x.shape[1] <= step:
        return net.forward(x)[1]
    return np.concatenate([net.forward(x[:, i:i + step])[1] for i in range(0, x.shape[1], step)], axis=1)


def batch_refusal(layers_dim: list, batch: int, batch_size: int) -> str | None:
    """The reason a training batch of ``batch`` points does not fit BATCH_VALUES, or None."""
    values = batch * sum(layers_dim)
    if values <= BATCH_VALUES:
        return None
    return (f"batch_size {batch_size} with layers_dim {list(layers_dim)}: one batch of {batch:,} points holds "
            f"{values:,} activations (points x units), beyond the budget of {BATCH_VALUES:,}; "
            f"give a batch_size up to {max(1, BATCH_VALUES // sum(layers_dim)):,} or fewer units")
