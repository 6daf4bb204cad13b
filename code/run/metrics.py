"""The per-epoch measurements: in memory, and in an append-only CSV file (metrics.csv).

    # run 5d0c1f2a9b3e4d70
    epoch,loss,grad_norm_0,grad_norm_1,saturated_1
    1,242.94738067205046,4.20...,...

The first line names the run the file belongs to (a fingerprint of its settings and data, see
state.run_identity): a file another run wrote is never taken as this run's history, but set aside
under a name of its own, with a note.
One row per epoch, numbers written with repr() so they read back exactly.  The
file grows by appending rows at each checkpoint (``flush``), so a save costs the
same at epoch 10 as at epoch 10 million.  On resume, rows past the checkpoint's
epoch (written before a crash) are dropped: the file then equals, byte for byte,
the one an uninterrupted run writes.
"""

import contextlib
import math
import os
import sys

import numpy as np

from code.lib.Loss.CrossEntropyLoss import CrossEntropyLoss, predicted
from code.run.names import shown

MEASURE_EVERY = 100      # gradient norms and saturation: every epoch up to this one, then every this many


def names(net, validation: bool = False) -> list:
    """The columns for ``net``: the loss (and the held-out points' val_loss), under cross-entropy the
    accuracy (and val_accuracy), each layer's ||dW_i||, each hidden layer's saturation."""
    layers = range(len(net.linear_list))
    accuracy = ["accuracy"] + (["val_accuracy"] if validation else []) if classifies(net) else []
    return (["loss"] + (["val_loss"] if validation else []) + accuracy + [f"grad_norm_{i}" for i in layers]
            + [f"saturated_{i}" for i in layers if i > 0])


def classifies(net) -> bool:
    """The net learns with the cross-entropy: its loss and accuracy are measured as a classifier's."""
    return isinstance(net.loss, CrossEntropyLoss)


def measured(epoch: int) -> bool:
    """Whether epoch (counted from 1) measures gradients and saturation: each of them costs about
    a tenth of the epoch's time, so every epoch up to MEASURE_EVERY, then every MEASURE_EVERY-th."""
    return epoch <= MEASURE_EVERY or epoch % MEASURE_EVERY == 0


class Measurements:
    """One epoch's row of metrics.csv, added up over all its batches, hence all its training points.

    loss:          mean of (output - y)^2 over the epoch's points, each batch before its update
    grad_norm_i:   ||dW_i|| of the epoch's mean gradient, sum over batches of m * dW_i, / N
    saturated_i:   the fraction of hidden layer a[i]'s values (units x points) that are saturated
    The last two only when ``detailed`` (see measured()); NaN in the row otherwise.
    """

    def __init__(self, net, detailed: bool):
        self.net, self.detailed, self.classify = net, detailed, classifies(net)
        self.squares, self.values, self.correct = 0.0, 0, 0      # sum of (output - y)^2 (or of m J), its terms, right labels
        self.points = 0                                          # the epoch's training points
        if detailed:
            layers = len(net.linear_list)
            self.dw_sums = [0.0] * layers                        # sum of m * dW_i, (out, in) each
            self.flat, self.units = [0] * layers, [0] * layers   # saturated values, all values of a[i]

    def add(self, caches: dict, output: np.ndarray, y: np.ndarray, grads: dict) -> None:
        """One batch: output, y (out, m); caches and grads as forward() and backward() gave them."""
        self.points += y.shape[1]
        if self.classify:                                        # the loss J of the batch, times m
            self.squares += self.net.loss.forward(output, y) * y.shape[1]
            self.correct += np.count_nonzero(predicted(output) == y[0])
        else:
            residual = output - y                                # (out, m)
            self.squares += np.vdot(residual, residual)          # sum of (output - y)^2
            self.values += residual.size
        if not self.detailed:
            return
        m = y.shape[1]
        for i in range(len(self.dw_sums)):
            self.dw_sums[i] = self.dw_sums[i] + m * grads[f"dw{i}"]          # m * dW_i: the batch's sum
            if i > 0:
                flat = self.net.act.saturated(caches["a"][i])    # (units, m), True where flat
                self.flat[i] += np.count_nonzero(flat)
                self.units[i] += flat.size

    def row(self) -> dict:
        """{"loss": ..., and when detailed "grad_norm_0": ..., "saturated_1": ..., ...}."""
        row = {"loss": float(self.squares / (self.points if self.classify else self.values))}
        if self.classify:
            row["accuracy"] = self.correct / self.points
        if self.detailed:
            points = self.points
            for i, dw_sum in enumerate(self.dw_sums):
                row[f"grad_norm_{i}"] = float(np.linalg.norm(dw_sum / points))     # ||mean gradient||
                if i > 0:
                    row[f"saturated_{i}"] = self.flat[i] / self.units[i]
        return row


class History:
    """columns: the measured names, e.g. ["loss", "grad_norm_0"]; each row also has its epoch."""

    def __init__(self, path: str, columns: list, run: str = ""):
        self.path, self.run = path, run
        self.header = ",".join(["epoch", *columns])
        self.columns = list(columns)
        self.epochs = []                              # the epoch of each row
        self.values = {name: [] for name in columns}  # name -> one float per row
        self.written = 0                              # rows already in the file

    def append(self, epoch: int, row: dict) -> None:
        """One epoch's row; a column it lacks (an epoch that measured no gradients) gets NaN."""
        self.epochs.append(epoch)
        for name in self.columns:
            self.values[name].append(float(row.get(name, math.nan)))

    def column(self, name: str) -> tuple:
        """(epochs, values) of one column, as arrays."""
        return np.array(self.epochs, dtype=np.int64), np.array(self.values[name])

    def _lines(self, start: int) -> str:
        rows = zip(self.epochs[start:], *(self.values[name][start:] for name in self.columns))
        return "".join(",".join([str(epoch), *map(repr, values)]) + "\n" for epoch, *values in rows)

    def flush(self) -> None:
        """Append the rows not yet in the file (a new file starts with the header); fsync.  When the
        file cannot be written, one line on stderr says so: the file is then cut back to its last
        whole row, and the rows stay here for the next flush (the checkpoint is written all the same)."""
        size = None
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            with open(self.path, "a" if self.written else "w", encoding="ascii") as f:
                size = f.tell()
                f.write(("" if self.written else f"# run {self.run}\n{self.header}\n") + self._lines(self.written))
                f.flush()
                os.fsync(f.fileno())
        except OSError as error:
            if size is not None:
                with contextlib.suppress(OSError):
                    os.truncate(self.path, size)             # no half row left behind
            print(f"metrics: cannot write {shown(self.path)} ({error.strerror or error}); its rows up to epoch "
                  f"{self.epochs[-1] if self.epochs else 0} are kept for the next save", file=sys.stderr)
            return
        self.written = len(self.epochs)

    def claim(self, loaded: bool) -> None:
        """Before a run from scratch (not ``loaded`` from a checkpoint): a file at the path that another
        run wrote is set aside (see set_aside), and a line says so."""
        if not loaded and os.path.isfile(self.path) and self._owner() != self.run:
            print(self.set_aside())

    def set_aside(self) -> str:
        """Rename the file at the path to metrics.1.csv (or .2, ...) and say so: nothing is lost."""
        stem, extension = os.path.splitext(self.path)
        for n in range(1, 1000):
            kept = f"{stem}.{n}{extension}"
            if not os.path.lexists(kept):
                os.replace(self.path, kept)
                return f"metrics: {shown(self.path)} was written by another run; kept as {shown(kept)}"
        return f"metrics: {shown(self.path)} was written by another run and is replaced (no free name to keep it)"

    def _owner(self) -> str:
        """The run named on the file's first line ("" if none can be read)."""
        with contextlib.suppress(OSError, UnicodeDecodeError), open(self.path, encoding="ascii") as f:
            line = f.readline(64)
            return line[len("# run "):].strip() if line.startswith("# run ") else ""
        return ""

    def resume(self, epoch: int, owner: str) -> None:
        """Read the rows of epochs 1..epoch back from the file, if it belongs to the run ``owner``
        (the checkpoint's); the next flush rewrites it with them.  When some are missing, one line
        says so: a missing or damaged file costs only the curve's past, never the run."""
        note = self._resume(epoch, owner)
        if note:
            print(note)

    def _resume(self, epoch: int, owner: str) -> str:
        if os.path.isfile(self.path) and self._owner() != owner:
            note = self.set_aside()
            return f"{note}; the curves start at epoch {epoch + 1}" if epoch else note
        try:
            rows = self._read(epoch)
        except (OSError, ValueError, UnicodeDecodeError) as error:
            rows, problem = [], str(error)
        else:
            whole = len(rows) == epoch and all(row[0] == number for number, row in enumerate(rows, start=1))
            problem = "" if whole else "rows are missing"
        if problem:
            rows = []
        for number, *values in rows:
            self.append(number, dict(zip(self.columns, values)))
        self.written = 0                              # the next flush rewrites the file with just these
        if problem and epoch > 0:
            return (f"metrics: {shown(self.path)} does not hold epochs 1 to {epoch} ({problem}); "
                    f"the curves start at epoch {epoch + 1}")
        return ""

    def _read(self, epoch: int) -> list:
        """The file's rows of epochs up to ``epoch``, read line by line: at most ``epoch`` of them,
        whatever the file's size, and lines of at most a few hundred characters."""
        rows = []
        with open(self.path, encoding="ascii") as f:
            f.readline(64)                                 # "# run ...", checked by resume
            if f.readline(len(self.header) + 2).rstrip("\n") != self.header:
                raise ValueError(f"its header is not {self.header}")
            while len(rows) < epoch:
                fields = f.readline(64 * (len(self.columns) + 1)).rstrip("\n").split(",")
                if len(fields) != len(self.columns) + 1:
                    break                              # the end, or a row cut short by a crash
                rows.append([int(fields[0]), *map(float, fields[1:])])
        return rows
