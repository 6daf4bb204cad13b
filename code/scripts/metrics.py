"""The per-epoch measurements: in memory, and in an append-only CSV file (metrics.csv).

    epoch,loss,grad_norm_0,grad_norm_1,saturated_1
    1,216.52478224279862,35.3...,...

One row per epoch, numbers written with repr() so they read back exactly.  The
file grows by appending rows at each checkpoint (``flush``), so a save costs the
same at epoch 10 as at epoch 10 million.  On resume, rows past the checkpoint's
epoch (written before a crash) are dropped: the file then equals, byte for byte,
the one an uninterrupted run writes.
"""

import math
import os

import numpy as np


def names(net, validation: bool = False) -> list:
    """The columns for ``net``: the loss (and the held-out points' val_loss), each layer's ||dW_i||,
    each hidden layer's saturation."""
    layers = range(len(net.linear_list))
    return (["loss"] + (["val_loss"] if validation else []) + [f"grad_norm_{i}" for i in layers]
            + [f"saturated_{i}" for i in layers if i > 0])


def measure(net, caches: dict, grads: dict, loss: float) -> dict:
    """One epoch's row: its loss and, on its last batch (caches, grads), each layer's weight-gradient
    norm ||dW_i|| and the fraction of saturated units of each hidden layer a[i] (units x samples)."""
    row = {"loss": loss}
    for i in range(len(net.linear_list)):
        dw = grads[f"dw{i}"]
        row[f"grad_norm_{i}"] = math.sqrt(np.vdot(dw, dw))             # ||dW_i||
        if i > 0:
            flat = net.act.saturated(caches["a"][i])                   # True where a unit is flat
            row[f"saturated_{i}"] = np.count_nonzero(flat) / flat.size  # the fraction (np.mean costs 3x)
    return row


class History:
    """columns: the measured names, e.g. ["loss", "grad_norm_0"]; each row also has its epoch."""

    def __init__(self, path: str, columns: list):
        self.path = path
        self.header = ",".join(["epoch", *columns])
        self.columns = list(columns)
        self.epochs = []                              # the epoch of each row
        self.values = {name: [] for name in columns}  # name -> one float per row
        self.written = 0                              # rows already in the file

    def append(self, epoch: int, row: dict) -> None:
        self.epochs.append(epoch)
        for name in self.columns:
            self.values[name].append(float(row[name]))

    def column(self, name: str) -> tuple:
        """(epochs, values) of one column, as arrays."""
        return np.array(self.epochs, dtype=np.int64), np.array(self.values[name])

    def _lines(self, start: int) -> str:
        rows = zip(self.epochs[start:], *(self.values[name][start:] for name in self.columns))
        return "".join(",".join([str(epoch), *map(repr, values)]) + "\n" for epoch, *values in rows)

    def flush(self) -> None:
        """Append the rows not yet in the file (a new file starts with the header); fsync."""
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        mode = "a" if self.written else "w"
        with open(self.path, mode, encoding="ascii") as f:
            if not self.written:
                f.write(self.header + "\n")
            f.write(self._lines(self.written))
            f.flush()
            os.fsync(f.fileno())
        self.written = len(self.epochs)

    def resume(self, epoch: int) -> str:
        """Read the rows of epochs 1..epoch back from the file; the next flush rewrites it with them.

        Returns "" when all were there, else one line saying what is missing: a
        missing or damaged file costs only the curve's past, never the run.
        """
        try:
            rows = self._read(epoch)
        except (OSError, ValueError, UnicodeDecodeError) as error:
            rows, problem = [], str(error)
        else:
            problem = "" if [r[0] for r in rows] == list(range(1, epoch + 1)) else "rows are missing"
        if problem:
            rows = []
        for number, *values in rows:
            self.append(number, dict(zip(self.columns, values)))
        self.written = 0                              # the next flush rewrites the file with just these
        if problem and epoch > 0:
            return (f"metrics: {self.path} does not hold epochs 1 to {epoch} ({problem}); "
                    f"the curves start at epoch {epoch + 1}")
        return ""

    def _read(self, epoch: int) -> list:
        with open(self.path, encoding="ascii") as f:
            lines = f.read().split("\n")
        if lines[0] != self.header:
            raise ValueError(f"its header is not {self.header}")
        rows = []
        for line in lines[1:]:
            fields = line.split(",")
            if len(fields) != len(self.columns) + 1:
                break                                  # the end, or a row cut short by a crash
            row = [int(fields[0]), *map(float, fields[1:])]
            if row[0] > epoch:
                break
            rows.append(row)
        return rows
