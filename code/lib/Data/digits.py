"""UCI's 1,797 handwritten digits, 8x8 pixels each, shipped in code/lib/Data/digits_data/ (see its README).

Each row of the file is 64 pixel counts (0 .. 16, the 8x8 image row by row) and the digit's label.
The reader checks the file's SHA-256, its shape, the values and the count of each digit.
"""

import gzip
import hashlib
import os

import numpy as np

from code.lib.Data.csv_data import DataError
from code.run.names import quoted

PATH = os.path.join(os.path.dirname(__file__), "digits_data", "digits.csv.gz")
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
COUNTS = (178, 182, 177, 183, 181, 182, 181, 179, 174, 180)   # digits 0 .. 9, as UCI's optdigits.names gives them
PIXELS, SIDE, HOLD_EVERY = 64, 8, 5                           # 8x8 images; every 5th of each digit held out


def read_digits(path: str | None = None) -> np.ndarray:
    """The checked table (1797, 65) of int64: 64 pixels, then the label; DataError naming the file."""
    path = PATH if path is None else path
    with open(path, "rb") as file:
        packed = file.read(200_000)                           # the file is 57,523 bytes
    if hashlib.sha256(packed).hexdigest() != SHA256:
        raise DataError(f"digits file {quoted(path)} is not the shipped one (its SHA-256 differs): restore it from git")
    text = gzip.decompress(packed).decode("ascii")
    table = np.array([row.split(",") for row in text.split()], dtype=np.int64)
    check_table(table, path)
    return table


def check_table(table: np.ndarray, path: str) -> None:
    """DataError unless table (N, 65) is 1,797 rows of pixels 0..16 and labels with UCI's counts."""
    if table.shape != (sum(COUNTS), PIXELS + 1):
        raise DataError(f"digits file {quoted(path)}: {table.shape} values, expected {(sum(COUNTS), PIXELS + 1)}")
    if table[:, :PIXELS].min() < 0 or table[:, :PIXELS].max() > 16:
        raise DataError(f"digits file {quoted(path)}: a pixel outside 0 .. 16")
    labels = table[:, PIXELS]
    if labels.min() < 0 or labels.max() > 9:
        raise DataError(f"digits file {quoted(path)}: a label outside 0 .. 9")
    counts = np.bincount(labels, minlength=10)
    if tuple(counts) != COUNTS:
        raise DataError(f"digits file {quoted(path)}: digit counts {counts.tolist()}, expected {list(COUNTS)}")


def held_out_rows(labels: np.ndarray) -> np.ndarray:
    """(N,) bool: every HOLD_EVERY-th image of each digit, counted in file order (the 5th, 10th, ...).
    No random numbers: the same 355 images on every machine, about a fifth of each digit."""
    held = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        rows = np.flatnonzero(labels == digit)
        held[rows[HOLD_EVERY - 1::HOLD_EVERY]] = True
    return held


class Digits:
    """The digits as a dataset: x (64, 1797) pixels / 16 (in 0 .. 1), y (1, 1797) labels (floats 0.0 .. 9.0),
    held_out (1797,) the fixed test images, never trained on."""

    classes, inputs, side = 10, PIXELS, SIDE

    def __init__(self, path: str | None = None):
        table = read_digits(path)
        self.x = table[:, :PIXELS].T / 16.0
        self.y = table[None, :, PIXELS].astype(np.float64)
        self.held_out = held_out_rows(table[:, PIXELS])

    def __len__(self) -> int:
        return self.x.shape[1]

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[:, i], "y": self.y[:, i]}
