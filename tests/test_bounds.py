"""Bounded and clear (issue 27): values that alone make training impossible, and the products of
settings, refused in one line before any training time."""

import os
import subprocess
import sys

import pytest
from conftest import DEMO, FIGURES, headless_env
from test_faults import assert_one_line_error


@pytest.mark.parametrize("flags,fragments", [
    (["--weight-decay", "1e300"], ["weight_decay must be a number from 0 to 1e+100", "got 1e+300"]),
    (["--noise", "1e300"], ["noise must be a number from 0 to 1e+100", "got 1e+300"]),
    (["--weight-decay", "100"], ["weight_decay 100.0 with learning_rate 0.03 and momentum 0.0",
                                 "below 2 * (1 + momentum) / learning_rate = 66.6667"]),
    (["--weight-decay", "120", "--momentum", "0.5"], ["below 2 * (1 + momentum) / learning_rate = 100"]),
])
def test_a_value_that_alone_stops_training_is_refused(run_main, tmp_path, flags, fragments):
    assert_one_line_error(run_main(*flags), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_sgd_decay_just_inside_its_bound_and_adam_with_a_large_one_train(run_main):
    assert run_main("--weight-decay", "66", "--total-epochs", 2).returncode == 0     # 1 - 0.03 * 66 = -0.98
    assert run_main("--optimizer", "adam", "--weight-decay", "1e6", "--total-epochs", 2, "--no-resume").returncode == 0


def test_divergence_names_the_noise_and_decay_beside_the_learning_rate(run_main):
    result = run_main("--learning-rate", "1000", "--noise", "2", "--weight-decay", "0.001")
    assert result.returncode != 0
    line = result.stderr.strip().splitlines()[-1]
    assert "training diverged" in line and "--learning-rate than 1000.0" in line, result.stderr
    assert "(or a smaller --noise than 2.0) (or a smaller --weight-decay than 0.001)" in line


def strict_run(folder, *flags: bytes) -> subprocess.CompletedProcess:
    """``python demo.py FLAGS`` (bytes, as a shell passes them) with a strict UTF-8 stdout and stderr."""
    env = dict(headless_env(), PYTHONIOENCODING="utf-8:strict")
    none = [arg for key in FIGURES for arg in (f"--{key.replace('_', '-')}", "")]
    return subprocess.run([sys.executable, DEMO, "--animation-path", "", *none, *flags], cwd=folder, env=env,
                          capture_output=True, check=False, timeout=120)


def test_names_that_are_not_utf8_or_hold_controls_print_on_one_line(tmp_path):
    result = strict_run(tmp_path, b"--total-epochs", b"2", b"--ckpt-path", b"caf\xe9.npy",
                        b"--loss-img-path", b"a\nb\x1b[31m.png")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")                                    # all of it is UTF-8
    assert "no checkpoint at caf\\xe9.npy: training from scratch\n" in out
    assert "save models finish: caf\\xe9.npy (epoch 2, iteration 6)\n" in out
    assert "figures saved: a\\nb\\x1b[31m.png\n" in out and "\x1b" not in out
    assert os.path.exists(tmp_path / os.fsdecode(b"caf\xe9.npy")) and os.path.exists(tmp_path / "a\nb\x1b[31m.png")
    again = strict_run(tmp_path, b"--total-epochs", b"3", b"--ckpt-path", b"caf\xe9.npy")
    assert "load models finish: caf\\xe9.npy (epoch 2, iteration 6)\n" in again.stdout.decode("utf-8")


def test_a_refusal_naming_such_a_file_is_one_line(tmp_path):
    result = strict_run(tmp_path, b"--data-path", b"d\xff\n\x1b[2J.csv")
    assert result.returncode == 2 and result.stdout == b""
    line = result.stderr.decode("utf-8")
    assert line.count("\n") == 1 and "\x1b" not in line and line.startswith("error: data_path 'd\\udcff\\n\\x1b[2J.csv'")
