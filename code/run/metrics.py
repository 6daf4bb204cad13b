"""The per-epoch measurements: in memory, and in metrics.csv, a plain CSV file.

    epoch,loss,grad_norm_0,grad_norm_1,saturated_1
    1,242.94738067205046,4.20...,...

One row per epoch, numbers written with repr() so they read back exactly (``csv.DictReader`` and
``pandas.read_csv`` read it with no options).  The checkpoint says which rows are the run's: those
of epochs 1 to its epoch.  At each save the new rows are appended first, then the checkpoint is
written, so the file never holds fewer rows than the checkpoint's history.  Nothing is ever
written in place over those rows: on resume, rows past the checkpoint's epoch (written before a
crash) are dropped by writing a new file and renaming it over the old one.  A file that does not
hold the checkpoint's epochs (damaged, cut short, another run's) is never written over: the run's
next save renames it to a free name (metrics.1.csv, ...) and starts a new file, and a line says so.
"""

import contextlib
import math
import os

import numpy as np

from code.lib.Loss import classifies
from code.lib.Loss.CrossEntropyLoss import predicted
from code.run.atomic import write_atomically
from code.run.names import shown

MEASURE_EVERY = 100      # gradient norms and saturation: every epoch up to this one, then every this many


def names(net, validation: bool = False) -> list:
    """The columns for ``net``: the loss (and the held-out points' val_loss), under cross-entropy the
    accuracy (and val_accuracy), each layer's ||dW_i||, each hidden layer's saturation."""
    layers = range(len(net.linear_list))
    accuracy = ["accuracy"] + (["val_accuracy"] if validation else []) if classifies(net.loss) else []
    return (["loss"] + (["val_loss"] if validation else []) + accuracy + [f"grad_norm_{i}" for i in layers]
            + [f"saturated_{i}" for i in layers if i > 0])


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
        self.net, self.detailed, self.classify = net, detailed, classifies(net.loss)   # labels: accuracy too
        self.squares, self.values, self.correct = 0.0, 0, 0      # sum of (output - y)^2 (or of m J), its terms, right labels
        self.points = 0                                          # the epoch's training points
        if detailed:
            layers = len(net.linear_list)
            self.dw_sums = [np.zeros_like(linear.weight) for linear in net.linear_list]   # sum of m * dW_i, (out, in)
            self.scratch = [np.empty_like(linear.weight) for linear in net.linear_list]  # m * dW_i, no new array a batch
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
            self.dw_sums[i] += np.multiply(grads[f"dw{i}"], m, out=self.scratch[i])   # m * dW_i: the batch's sum
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

    def __init__(self, path: str, columns: list):
        self.path = path
        self.header = ",".join(["epoch", *columns])
        self.columns = list(columns)
        self.epochs = []                              # the epoch of each row
        self.values = {name: [] for name in columns}  # name -> one float per row
        self.written = 0                              # rows already in the file
        self.rewrite = True                           # the next flush writes a whole new file
        self.stale = True                             # a file at the path is not this run's: set it aside first
        self.why = "was there before this run"        # what set_aside says of it

    def append(self, epoch: int, row: dict) -> None:
        """One epoch's row; a column it lacks (an epoch that measured no gradients) gets NaN."""
        self.epochs.append(epoch)
        for name in self.columns:
            self.values[name].append(float(row.get(name, math.nan)))

    def cut(self, epoch: int) -> None:
        """Forget the rows past ``epoch`` (a Trainer put back to its last checkpoint)."""
        keep = sum(1 for e in self.epochs if e <= epoch)
        del self.epochs[keep:]
        for values in self.values.values():
            del values[keep:]
        self.written = min(self.written, keep)

    def column(self, name: str) -> tuple:
        """(epochs, values) of one column, as arrays."""
        return np.array(self.epochs, dtype=np.int64), np.array(self.values[name])

    def _lines(self, start: int) -> str:
        rows = zip(self.epochs[start:], *(self.values[name][start:] for name in self.columns))
        return "".join(",".join([str(epoch), *map(repr, values)]) + "\n" for epoch, *values in rows)

    def flush(self) -> None:
        """Write the rows not yet in the file: appended, or (the first time, or after a resume that
        cut rows) a whole new file renamed over the old.  OSError when it cannot: the file is then as
        it was, and the caller writes no checkpoint."""
        if not self.epochs:
            return                                    # nothing to write yet (an imported checkpoint)
        if self.stale:
            self.set_aside()
            self.stale = False
        if self.rewrite:
            text = (self.header + "\n" + self._lines(0)).encode("ascii")
            write_atomically(self.path, lambda f: f.write(text), "metrics")
        else:
            self._append(self._lines(self.written).encode("ascii"))
        self.written, self.rewrite = len(self.epochs), False

    def _append(self, text: bytes) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        size = os.fstat(fd).st_size
        try:
            os.write(fd, text) == len(text) or _short_write()
            os.fsync(fd)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)                    # no half row left behind
            raise OSError(f"cannot write metrics {shown(self.path)}: {error.strerror or error}") from None
        finally:
            os.close(fd)

    def set_aside(self) -> None:
        """Before a run's first save (from scratch): a file already at the path is renamed to a free
        name (metrics.1.csv, ...), and a line says so: nothing is lost."""
        if os.path.lexists(self.path):
            kept = self._free_name()
            os.rename(self.path, kept)
            print(f"metrics: {shown(self.path)} {self.why}; kept as {shown(kept)}")

    def _free_name(self) -> str:
        stem, extension = os.path.splitext(self.path)
        n = 1
        while os.path.lexists(f"{stem}.{n}{extension}"):
            n += 1
        return f"{stem}.{n}{extension}"

    def load(self, epoch: int, identity: str) -> str:
        """Read epochs 1..epoch (the checkpoint's) back from the file; returns a note for the log ("" if
        all is well).  A missing file, or one that does not hold them: the curves start at epoch + 1,
        and such a file is set aside at the next save.  ``identity``: the run's state.run_identity,
        which a file written by an earlier version of this program names on its first line."""
        self.stale = False
        if not os.path.lexists(self.path):
            return f"metrics: {shown(self.path)} is missing; the curves start at epoch {epoch + 1}" if epoch else ""
        try:
            rows, extra = self._read(epoch, identity)
        except (OSError, ValueError, UnicodeDecodeError) as error:
            self.stale, self.why = True, "does not hold this run's epochs"
            return (f"metrics: {shown(self.path)} does not hold this run's epochs 1 to {epoch} ({error}); the next save "
                    f"keeps it as {shown(self._free_name())}, and the curves start at epoch {epoch + 1}")
        for number, *values in rows:
            self.append(number, dict(zip(self.columns, values)))
        self.written, self.rewrite = len(rows), extra
        return ""

    def _read(self, epoch: int, identity: str) -> tuple:
        """(rows of epochs up to ``epoch``, whether the file holds more than them), read line by line:
        at most ``epoch`` rows, whatever the file's size, lines of at most a few hundred characters."""
        with open(self.path, encoding="ascii", newline="") as f:
            line = f.readline(len(self.header) + 2)
            old = line.startswith("# run ")            # written by an earlier version: kept if this run's
            if old and line[len("# run "):].strip() != identity:
                raise ValueError("its first line names another run")
            if (f.readline(len(self.header) + 2) if old else line).rstrip("\n") != self.header:
                raise ValueError(f"its header is not {self.header}")
            return self._rows(f, epoch, old)

    def _rows(self, f, epoch: int, old: bool) -> tuple:
        """The rows up to ``epoch``: consecutive epochs, from 1 (or from where a lost file started anew)."""
        rows, width, extra = [], 64 * (len(self.columns) + 1), old
        while not rows or rows[-1][0] < epoch:
            line = f.readline(width)
            if not line:
                break
            row = _parse(line, len(self.columns), rows[-1][0] if rows else 0)
            if rows and row[0] != rows[-1][0] + 1:
                raise ValueError(f"epoch {row[0]} follows epoch {rows[-1][0]}")
            if row[0] > epoch:
                return rows, True                        # rows past the checkpoint: dropped
            rows.append(row)
        if rows and rows[-1][0] != epoch:
            raise ValueError(f"it ends at epoch {rows[-1][0]}")
        return rows, extra or bool(f.read(1))


def _parse(line: str, columns: int, after: int) -> list:
    """[epoch, value, ...] from one whole line; ValueError "the row after epoch N is damaged"."""
    fields = line.rstrip("\n").split(",")
    try:
        if not line.endswith("\n") or len(fields) != columns + 1 or int(fields[0]) < 1:
            raise ValueError
        return [int(fields[0]), *map(float, fields[1:])]
    except ValueError:
        raise ValueError(f"the row after epoch {after} is damaged") from None


def _short_write():
    raise OSError("the disk took only part of the rows")
