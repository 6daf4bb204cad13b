"""No output may overwrite another output or an input (issue 22, part 1): every pair of path keys."""

import itertools
import os

import numpy as np
import pytest
from test_faults import assert_one_line_error

KEYS = ["ckpt_path", "metrics_path", "result_img_path", "loss_img_path", "progress_img_path", "hidden_img_path",
        "gradients_img_path", "net_img_path", "compare_img_path", "animation_path", "data_path"]
NAMES = ["same.png", "same", "same.gif"]


def valid(key: str, name: str) -> bool:
    return key != "animation_path" or name != "same.png"               # the animation is a GIF


def written(key: str, name: str) -> str:
    """The file a key's value names, with the extension the writer adds."""
    if os.path.splitext(name)[1]:
        return name
    return name + (".png" if key.endswith("img_path") else ".gif" if key == "animation_path" else "")


def colliding(a: str, b: str) -> tuple:
    """Values for keys a and b, each valid, that name one file."""
    for one, two in itertools.product(NAMES, NAMES):
        if valid(a, one) and valid(b, two) and written(a, one) == written(b, two):
            return one, two
    raise AssertionError((a, b))


@pytest.mark.parametrize("a,b", list(itertools.combinations(KEYS, 2)))
def test_two_keys_naming_one_file_are_refused_before_anything_is_written(run_main, tmp_path, a, b):
    one, two = colliding(a, b)
    data = "x,y\n" + "".join(f"{i / 10},{i}\n" for i in range(10))
    if "data_path" in (a, b):
        (tmp_path / written("data_path", one if a == "data_path" else two)).write_text(data)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    flags = ["--total-epochs", 1, "--batch-size", 2, f"--{a.replace('_', '-')}", one, f"--{b.replace('_', '-')}", two]
    result = run_main(*flags)
    assert_one_line_error(result, a, b, "same file")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before          # nothing written, data intact


def test_dot_dot_symlinks_and_the_lock_are_seen_through(run_main, tmp_path):
    os.mkdir(tmp_path / "sub")
    assert_one_line_error(run_main("--ckpt-path", "sub/../ck.npy", "--metrics-path", "ck.npy"), "ckpt_path",
                          "metrics_path")
    os.symlink(tmp_path / "real.png", tmp_path / "link.csv")                     # a link to where a figure goes
    assert_one_line_error(run_main("--metrics-path", "link.csv", "--loss-img-path", "real.png"), "loss_img_path",
                          "metrics_path")
    assert_one_line_error(run_main("--metrics-path", "ckpt.npy.lock"), "metrics_path", "the lock of ckpt_path")
    assert_one_line_error(run_main("--metrics-path", ".ckpt.npy.x1y2.tmp"), "metrics_path", "temporary file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "sub"]


def test_the_imported_file_is_an_input_too(run_main, tmp_path):
    (tmp_path / "old.npy").write_bytes(b"\x93NUMPY")
    assert_one_line_error(run_main("--import-original", "old.npy", "--ckpt-path", "old.npy"), "ckpt_path",
                          "--import-original")
    assert (tmp_path / "old.npy").read_bytes() == b"\x93NUMPY"


# ---- bounded resources (issue 22, part 3) ----------------------------------------------------------------
@pytest.mark.parametrize("flags,fragment", [
    (("--layers-dim", 1, 1000000000, 1), "at most 100,000 units"),
    (("--layers-dim", 1, 8000, 8000, 1), "at most 50,000,000 parameters (this one has 64,"),
    (("--batch-size", 2**64), "up to 2**53"), (("--total-epochs", 2**60), "from 0 to 2**53"),
    (("--animation-frames", 10**9), "from 1 to 1000")])
def test_sizes_beyond_the_stated_limits_are_refused_before_allocating(run_main, tmp_path, flags, fragment):
    assert_one_line_error(run_main(*flags), fragment)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("field,value", [("epoch", 2**60), ("iteration", 2**62), ("optim_step", 2**62),
                                         ("batch_size", 2**63 - 1)])
def test_a_rechecksummed_checkpoint_declaring_huge_counts_is_refused(run_main, tmp_path, field, value):
    from code.run.checkpoint import load_checkpoint, save_checkpoint
    optimizer = ("--optimizer", "adam") if field == "optim_step" else ()
    assert run_main("--total-epochs", 2, *optimizer).returncode == 0
    state = load_checkpoint(str(tmp_path / "ckpt.npy"))
    state[field] = np.array(value, dtype=np.int64)
    if field == "epoch":
        state["iteration"] = np.array(value, dtype=np.int64)
    save_checkpoint(str(tmp_path / "ckpt.npy"), state)                       # a valid checksum over the lie
    before = (tmp_path / "ckpt.npy").read_bytes()
    assert_one_line_error(run_main("--total-epochs", 4, *optimizer), "beyond 2**53")
    assert (tmp_path / "ckpt.npy").read_bytes() == before


def test_a_checkpoint_at_a_billion_epochs_reads_only_the_rows_there_are(run_main, tmp_path):
    from code.run.checkpoint import load_checkpoint, save_checkpoint
    assert run_main("--total-epochs", 2).returncode == 0
    state = load_checkpoint(str(tmp_path / "ckpt.npy"))
    state["epoch"], state["iteration"] = np.array(10**9), np.array(3 * 10**9)
    save_checkpoint(str(tmp_path / "ckpt.npy"), state)
    result = run_main("--total-epochs", 5)
    assert result.returncode == 0 and "nothing to train" in result.stdout
    assert "does not hold this run's epochs 1 to 1000000000" in result.stdout
