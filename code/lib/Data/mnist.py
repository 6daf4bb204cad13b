"""MNIST's four standard IDX files, as a learner downloads them, gzipped or not, from one folder.

An IDX file is a header of big-endian 32-bit integers, then unsigned bytes: images have the magic
number 2051, the count, the rows (28) and the columns (28), then count x 28 x 28 pixels; labels
have 2049 and the count, then one byte (0 .. 9) per image.  Every header is checked against the
file's length before anything is allocated.  Memory: at most 60,000 + 10,000 images, each 784
float64 pixels: 439 MB for x, allocated once, plus one file's bytes (at most 47 MB) while filling it.
"""

import gzip
import os
import struct

import numpy as np

from code.lib.Data.csv_data import DataError
from code.run.names import quoted

FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000)}   # names, at most this many
IMAGES, LABELS, SIDE = 2051, 2049, 28                          # the magic numbers; 28 x 28 pixels


def find(folder: str, name: str) -> str:
    """folder/name, or folder/name.gz; DataError when neither is a file."""
    for path in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
        if os.path.isfile(path):
            return path
    raise DataError(f"data_path {quoted(folder)} has no MNIST file {name} (nor {name}.gz)")


def stored_size(path: str) -> int:
    """The bytes the file holds once unzipped: its length, or a .gz file's own record of it (ISIZE)."""
    size = os.path.getsize(path)
    if not path.endswith(".gz"):
        return size
    if size < 18:
        raise DataError(f"MNIST file {quoted(path)} is too short to be gzip")
    with open(path, "rb") as file:
        file.seek(size - 4)
        return struct.unpack("<I", file.read(4))[0]           # the length modulo 2**32; ours are < 50 MB


def read_bytes(path: str, size: int) -> bytes:
    """Exactly ``size`` bytes of the (unzipped) file, never more: DataError naming it otherwise."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as file:
            data = file.read(size + 1)
    except (OSError, EOFError) as error:
        raise DataError(f"MNIST file {quoted(path)} cannot be read: {error}") from None
    if len(data) != size:
        raise DataError(f"MNIST file {quoted(path)} holds {len(data)} bytes, its header says {size}")
    return data


def header(path: str, magic: int, most: int) -> tuple:
    """(count, bytes of the whole file) from the header of ``path``; DataError naming what is wrong."""
    dims = 3 if magic == IMAGES else 1
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as file:
        try:
            head = file.read(4 + 4 * dims)
        except (OSError, EOFError) as error:
            raise DataError(f"MNIST file {quoted(path)} cannot be read: {error}") from None
    if len(head) < 4 + 4 * dims:
        raise DataError(f"MNIST file {quoted(path)} is shorter than its header ({len(head)} bytes)")
    found, *sizes = struct.unpack(f">{1 + dims}I", head)
    if found != magic:
        raise DataError(f"MNIST file {quoted(path)}: magic number {found}, expected {magic} (an IDX {'image' if magic == IMAGES else 'label'} file)")
    if not 1 <= sizes[0] <= most or sizes[1:] not in ([], [SIDE, SIDE]):
        raise DataError(f"MNIST file {quoted(path)}: dimensions {sizes}, expected at most {most} " +
                        ("images of 28 x 28" if dims == 3 else "labels"))
    total = len(head) + int(np.prod(sizes))
    if stored_size(path) != total % 2**32:
        raise DataError(f"MNIST file {quoted(path)} holds {stored_size(path)} bytes, its header says {total}")
    return sizes[0], total


def check_pair(folder: str, part: str) -> tuple:
    """(images' path, labels' path, n, their sizes in bytes) of ``part`` (train or test): headers checked."""
    image_name, label_name, most = FILES[part]
    images, labels = find(folder, image_name), find(folder, label_name)
    n, image_bytes = header(images, IMAGES, most)
    count, label_bytes = header(labels, LABELS, most)
    if count != n:
        raise DataError(f"MNIST file {quoted(labels)} has {count} labels for the {n} images of {quoted(images)}")
    return images, labels, n, image_bytes, label_bytes


def read_labels(path: str, size: int) -> np.ndarray:
    """(n,) int64 labels of a checked label file; DataError unless each is 0 .. 9."""
    digits = np.frombuffer(read_bytes(path, size), dtype=np.uint8, offset=8)
    if digits.max() > 9:
        raise DataError(f"MNIST file {quoted(path)}: label {digits.max()} at item {int(np.argmax(digits > 9))}, "
                        "expected 0 .. 9")
    return digits.astype(np.int64)


def read_images(path: str, size: int, out: np.ndarray) -> None:
    """Fill ``out`` (784, n) with a checked image file's pixels / 255 (one image per column)."""
    pixels = np.frombuffer(read_bytes(path, size), dtype=np.uint8, offset=16)
    first = pixels[:out.shape[0] * out.shape[1]]                      # the first out.shape[1] images
    np.divide(first.reshape(out.shape[1], out.shape[0]).T, 255.0, out=out)


class MNIST:
    """MNIST from the folder ``path`` as a dataset: x (784, N) pixels / 255, y (1, N) labels (floats),
    held_out (N,) the 10,000 test images (t10k), never trained on; the training images first.
    All four headers are checked, then x is allocated once (at most 70,000 x 784 float64: 439 MB)."""

    classes, inputs, side = 10, SIDE * SIDE, SIDE

    def __init__(self, path: str, train_images: int = 0):
        if not os.path.isdir(path):
            raise DataError(f"data_path {quoted(path)} is not a folder: dataset mnist reads the four IDX files in one")
        parts = [check_pair(path, part) for part in FILES]           # train, test: nothing allocated yet
        train = parts[0][2] if train_images == 0 else train_images   # the first train_images, or all
        if train > parts[0][2]:
            raise DataError(f"train_images {train_images}: MNIST file {quoted(parts[0][0])} holds {parts[0][2]} images")
        labels = [read_labels(parts[0][1], parts[0][4])[:train], read_labels(parts[1][1], parts[1][4])]
        self.x = np.empty((SIDE * SIDE, train + len(labels[1])))
        read_images(parts[0][0], parts[0][3], self.x[:, :train])
        read_images(parts[1][0], parts[1][3], self.x[:, train:])
        self.y = np.concatenate(labels)[None, :].astype(np.float64)
        self.held_out = np.arange(self.x.shape[1]) >= train

    def __len__(self) -> int:
        return self.x.shape[1]

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[:, i], "y": self.y[:, i]}
