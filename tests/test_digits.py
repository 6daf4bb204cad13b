"""UCI's handwritten digits (issue 30): the shipped file, its checks, the fixed held-out images, a run."""

import gzip
import hashlib
import re

import numpy as np
import pytest
from test_faults import assert_one_line_error

from code.lib.Data import digits
from code.lib.Data.csv_data import DataError

DIGITS = ["--dataset", "digits", "--loss", "cross_entropy", "--layers-dim", 64, 30, 10, "--init", "xavier",
          "--learning-rate", 0.5, "--batch-size", 10, "--shuffle", "--quiet"]


def test_the_shipped_file_is_the_one_its_readme_names():
    packed = open(digits.PATH, "rb").read()
    readme = open(digits.PATH.replace("digits.csv.gz", "README.md"), encoding="utf-8").read()
    assert hashlib.sha256(packed).hexdigest() == digits.SHA256 and digits.SHA256 in readme
    assert len(packed) == 57_523 and "57,523 bytes" in readme and "CC BY 4.0" in readme


def test_the_digits_as_read_pixels_over_16_labels_and_uci_counts():
    data = digits.Digits()
    assert data.x.shape == (64, 1797) and data.y.shape == (1, 1797) and len(data) == 1797
    first_row = [0, 0, 5, 13, 9, 1, 0, 0]                     # the file's first line, the image's top row
    assert data.x[:8, 0].tolist() == [v / 16 for v in first_row] and data.y[0, 0] == 0.0
    assert np.bincount(data.y[0].astype(int)).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert 0.0 <= data.x.min() and data.x.max() == 1.0


def test_the_held_out_images_are_every_fifth_of_each_digit():
    data = digits.Digits()
    labels = data.y[0].astype(int)
    held = np.bincount(labels[data.held_out], minlength=10).tolist()
    assert held == [35, 36, 35, 36, 36, 36, 36, 35, 34, 36] and sum(held) == 355   # floor(count / 5)
    zeros = np.flatnonzero(labels == 0)
    assert data.held_out[zeros[4]] and not data.held_out[zeros[:4]].any() and data.held_out[zeros[9]]


def test_a_changed_file_is_refused_by_its_checksum(tmp_path):
    text = gzip.decompress(open(digits.PATH, "rb").read())
    (tmp_path / "d.csv.gz").write_bytes(gzip.compress(text.replace(b"0,0,5,13", b"0,0,5,12", 1)))
    with pytest.raises(DataError, match="SHA-256 differs"):
        digits.read_digits(str(tmp_path / "d.csv.gz"))


@pytest.mark.parametrize("damage,fragment", [
    (lambda t: t[:-1], "(1796, 65) values, expected (1797, 65)"),
    (lambda t: t[:, 1:], "(1797, 64) values"),
    (lambda t: np.where(np.arange(65) == 3, 17, t), "a pixel outside 0 .. 16"),
    (lambda t: np.where(np.arange(65) == 64, 0, t), "digit counts [1797, 0, 0"),
    (lambda t: np.where(np.arange(65) == 64, 10, t), "a label outside 0 .. 9"),
    (lambda t: np.where(np.arange(65) == 64, -1, t), "a label outside 0 .. 9")])
def test_each_damage_of_the_table_names_the_file(damage, fragment):
    table = digits.read_digits()
    with pytest.raises(DataError, match="digits file 'f.csv.gz'") as caught:
        digits.check_table(damage(table), "f.csv.gz")
    assert fragment in str(caught.value)


def test_a_short_run_learns_the_held_out_digits(run_main, tmp_path):
    result = run_main(*DIGITS, "--total-epochs", 5)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    held_out = [line for line in result.stdout.splitlines() if line.startswith("validation: ")][0]
    assert held_out.endswith("on 355 held-out points") and float(held_out.split()[2]) > 0.9, held_out
    assert re.search(r"^test: accuracy \S+ .* on 1442 training points after 5 epochs$", result.stdout, re.M)
    header = (tmp_path / "metrics.csv").read_text().splitlines()[0]
    assert header.startswith("epoch,loss,val_loss,accuracy,val_accuracy,")


def test_resume_gives_the_very_bytes_of_a_straight_run(run_main, tmp_path):
    assert run_main(*DIGITS, "--total-epochs", 2, "--out", "resumed").returncode == 0
    assert run_main(*DIGITS, "--total-epochs", 4, "--out", "resumed").returncode == 0
    assert run_main(*DIGITS, "--total-epochs", 4, "--out", "straight").returncode == 0
    for name in ("ckpt.npy", "metrics.csv"):
        assert (tmp_path / "resumed" / name).read_bytes() == (tmp_path / "straight" / name).read_bytes()


@pytest.mark.parametrize("flags,fragment", [
    (("--layers-dim", 64, 30, 9), "the last the 10 classes"),
    (("--layers-dim", 2, 30, 10), "the first size must be the 64 inputs"),
    (("--val-fraction", 0.2), "dataset digits holds out its own 355 test images")])
def test_a_bad_digits_setting_is_one_line(run_main, tmp_path, flags, fragment):
    assert_one_line_error(run_main(*DIGITS, *flags), fragment)
    assert list(tmp_path.iterdir()) == []


def test_the_confusion_matrix_by_hand():
    from code.see.digits import confusion
    table = confusion(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), classes=3)
    assert table.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


def test_a_digits_run_draws_the_misclassified_the_confusion_and_the_weights(run_main, tmp_path):
    result = run_main(*DIGITS, "--total-epochs", 1, figures=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "figures saved: ./result.png, ./hidden.png, ./loss.png, ./net.png, ./gradients.png" in result.stdout
    for name in ("result.png", "hidden.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert "progress and hidden figures: skipped" not in result.stdout


def test_the_progress_line_moves_within_an_epoch(tmp_path, capsys):
    import io
    import re

    from test_demo import config

    from code.scripts.trainer import Trainer
    from code.see.progress import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    cfg = config(tmp_path, dataset="digits", loss="cross_entropy", layers_dim=[64, 10, 10], batch_size=10,
                 total_epochs=2, quiet=True)
    trainer, terminal = Trainer(cfg), Terminal()
    with ProgressLine(trainer, stream=terminal, every=0.0):
        trainer.train()
    within = re.findall(r"epoch (\d): batch (\d+) / 145\x1b\[K", terminal.getvalue())   # 1,442 images, batches of 10
    assert within[0] == ("1", "1") and within[-1] == ("2", "144") and len(within) == 2 * 144
    assert trainer.after_batch == [] and trainer.after_epoch == []


def test_a_damaged_shipped_file_is_one_line_before_training(run_main, tmp_path, monkeypatch):
    (tmp_path / "bad.csv.gz").write_bytes(gzip.compress(b"0,1\n"))
    monkeypatch.setattr(digits, "PATH", str(tmp_path / "bad.csv.gz"))
    assert_one_line_error(run_main(*DIGITS), "is not the shipped one (its SHA-256 differs): restore it from git")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv.gz"]
