"""Points from a CSV file with a header row: read by NumPy, each problem one line naming the file,
the row and the column.  The file may be UTF-8 (with or without Excel's byte-order mark) or GB18030,
which covers the GBK that Excel writes on Chinese Windows; its lines may end in CRLF."""

import codecs
import os
import stat
import warnings

import numpy as np

from code.run.names import quoted


class DataError(ValueError):
    """A data file that cannot be used; the message names the file, and the row and column."""


ENCODINGS = ("utf-8-sig", "gb18030")                          # tried in this order
CHUNK = 1 << 20                                                # bytes decoded at a time


class CSVDataset:
    """Points from a CSV file with a header row: the first ``inputs`` columns are x, the last
    ``outputs`` columns y.  x: (inputs, N), y: (outputs, N), one sample per column."""

    def __init__(self, path: str, inputs: int, outputs: int):
        table = read_csv(path, inputs + outputs)               # (N, inputs + outputs)
        self.x = table[:, :inputs].T.copy()
        self.y = table[:, table.shape[1] - outputs:].T.copy()

    def __len__(self) -> int:
        return self.x.shape[1]

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[:, i], "y": self.y[:, i]}


def what_is(path: str) -> str:
    """"a folder", "a FIFO (named pipe)", "a device", "missing": what is at a path that is no file."""
    if not os.path.lexists(path):
        return "missing"
    mode = os.stat(path).st_mode if os.path.exists(path) else 0
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]
    return next((name for test, name in kinds if test(mode)), "a broken link")


def read_csv(path: str, columns: int) -> np.ndarray:
    """The numbers of a CSV file with a header row, (rows, columns); DataError naming the file,
    the row and the column of the first problem.  NumPy's loadtxt reads it (fast, no per-row
    Python work); only when it fails does a plain scan look for where."""
    if not os.path.isfile(path):
        raise DataError(f"data_path {quoted(path)} is {what_is(path)}, not a file of numbers")
    try:
        encoding = encoding_of(path)
        with open(path, encoding=encoding) as f:
            header = f.readline(1 << 16)
    except OSError as error:
        raise DataError(f"data_path {quoted(path)} cannot be read: {error.strerror or error}") from None
    if not header.strip():
        raise DataError(f"data_path {quoted(path)} is empty: it needs a header row, then one row per point")
    found = len(header.split(","))
    if found != columns:
        raise DataError(f"data_path {quoted(path)} has {found} columns; layers_dim asks for {columns} "
                          f"(the first layers_dim[0] are inputs, the last layers_dim[-1] targets)")
    try:
        with warnings.catch_warnings():                        # "no data": said below in our own words
            warnings.simplefilter("ignore", UserWarning)
            table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64, comments=None,
                               encoding=encoding)
    except ValueError:
        _locate_problem(path, columns, encoding)
        raise DataError(f"data_path {quoted(path)} cannot be read as numbers") from None
    if table.shape[0] == 0:
        raise DataError(f"data_path {quoted(path)} has a header but no rows")
    bad = np.argwhere(~np.isfinite(table))
    if len(bad):
        row, column = bad[0]
        raise DataError(f"data_path {quoted(path)} row {row + 2} column {column + 1}: {table[row, column]} "
                          "is not a finite number")
    return table


def encoding_of(path: str) -> str:
    """The first of ENCODINGS that decodes the whole file, read CHUNK bytes at a time; DataError
    naming the encodings tried when none does."""
    for encoding in ENCODINGS:
        if _decodes(path, encoding):
            return encoding
    raise DataError(f"data_path {quoted(path)} is neither UTF-8 nor GB18030 (GBK) text; "
                    "save it as CSV UTF-8 or as CSV from Excel on Chinese Windows")


def _decodes(path: str, encoding: str) -> bool:
    """Whether the bytes of the file are text in this encoding."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _locate_problem(path: str, columns: int, encoding: str) -> None:
    """DataError at the first row with the wrong number of cells, or a cell that is not a number."""
    with open(path, encoding=encoding) as f:
        for number, line in enumerate(f, start=1):
            if number == 1 or not line.strip():
                continue
            cells = line.rstrip("\n").split(",")
            if len(cells) != columns:
                raise DataError(f"data_path {quoted(path)} row {number}: {len(cells)} cells, the header has {columns}")
            for column, cell in enumerate(cells, start=1):
                try:
                    float(cell)
                except ValueError:
                    raise DataError(f"data_path {quoted(path)} row {number} column {column}: {cell.strip()!r} "
                                      "is not a number") from None
