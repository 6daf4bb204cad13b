"""Bad input and faults: clear errors, nothing written or lost, no code run from a checkpoint (issue 4)."""

import errno
import importlib.util
import os
import pickle
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import DEMO, headless_env, load_ckpt
from test_demo import config

from code.config.validate import ConfigError
from code.run import atomic
from code.run.checkpoint import load_checkpoint, save_checkpoint
from code.run.checks import CheckpointError
from code.scripts.trainer import Trainer
from code.see import figures as plots


def assert_one_line_error(result, *fragments):
    """Exit 2, one line ``error: ...`` holding every fragment, no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


BAD_FLAGS = [
    (["--batch-size", "0"], ("batch_size", "0")),
    (["--batch-size", "ten"], ("--batch-size", "'ten'")),
    (["--total-epochs", "-1"], ("total_epochs", "-1")),
    (["--learning-rate", "nan"], ("learning_rate", "nan")),
    (["--learning-rate", "inf"], ("learning_rate", "inf")),
    (["--learning-rate", "0"], ("learning_rate", "0.0")),
    (["--learning-rate", "-0.5"], ("learning_rate", "-0.5")),
    (["--log-every", "0"], ("log_every", "0")),
    (["--ckpt-every", "-3"], ("ckpt_every", "-3")),
    (["--activation", "softplus"], ("activation", "'softplus'")),
    (["--init", "zeros"], ("init", "'zeros'")),
    (["--seed", "1.5"], ("--seed", "'1.5'")),
    (["--seed", "-1"], ("seed", "-1")),
    (["--layers-dim", "1"], ("layers_dim", "[1]")),
    (["--layers-dim"], ("layers_dim", "[]")),
    (["--layers-dim", "1", "0", "1"], ("layers_dim", "[1, 0, 1]")),
    (["--layers-dim", "2", "5", "1"], ("layers_dim", "[2, 5, 1]")),
    (["--layers-dim", "1", "5", "3"], ("layers_dim", "[1, 5, 3]")),
    (["--progress-epochs", "0"], ("progress_epochs", "[0]")),
    (["--ckpt-path", ""], ("ckpt_path", "''")),
    (["--no-such-flag"], ("--no-such-flag",)),
]


@pytest.mark.parametrize("flags,fragments", BAD_FLAGS)
def test_bad_flag_is_one_line_and_writes_nothing(run_main, tmp_path, flags, fragments):
    result = run_main(*flags)
    assert_one_line_error(result, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_bad_flags_on_a_real_command_line(run_demo, tmp_path):
    for flags, fragments in (BAD_FLAGS[1], BAD_FLAGS[3], BAD_FLAGS[-1]):   # argparse's, ours, an unknown flag
        assert_one_line_error(run_demo(*flags), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_bad_value_in_default_config(edited_config, tmp_path):
    result = edited_config({"_C.learning_rate = 0.03": "_C.learning_rate = '0.03'"})
    assert_one_line_error(result, "learning_rate", "'0.03'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["code"]


def test_trainer_from_python_raises_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"batch_size must be an integer, got True"):
        Trainer(config(tmp_path, batch_size=True))
    with pytest.raises(ConfigError, match="lacks the key"):
        cfg = config(tmp_path)
        del cfg["seed"]
        Trainer(cfg)


# ---- output paths ---------------------------------------------------------------------------------
def test_figure_folder_that_is_a_file_fails_before_training(run_demo, tmp_path):
    (tmp_path / "figs").write_text("not a folder")
    result = run_demo("--result-img-path", "figs/result.png", "--total-epochs", 5)
    assert_one_line_error(result, "result_img_path", "figs/result.png", "is a file, not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figs"]


def test_checkpoint_path_that_is_a_folder(run_demo, tmp_path):
    (tmp_path / "ckpt.npy").mkdir()
    assert_one_line_error(run_demo("--total-epochs", 5), "ckpt_path", "ckpt.npy", "is a folder")


def test_missing_output_folders_are_created(run_demo, tmp_path):
    result = run_demo("--total-epochs", 5, "--ckpt-path", "runs/a/ckpt.npy", "--result-img-path",
                      "figs/r.png", "--loss-img-path", "figs/l.png", "--progress-img-path", "figs/deep/p.png")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "runs" / "a" / "ckpt.npy").exists() and (tmp_path / "figs" / "deep" / "p.png").exists()


def test_plot_failure_loses_no_training(tmp_path, monkeypatch, capsys):
    demo = load_demo_module()
    monkeypatch.chdir(tmp_path)

    def broken(fig, path, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(plots.Figure, "savefig", broken)
    status = demo.main(["--total-epochs", "20", "--no-show"])
    assert status == 1
    assert capsys.readouterr().err == ("error: cannot write figure ./result.png: Permission denied; "
                                       "the training is saved in ./ckpt.npy (epoch 20)\n")
    assert int(load_ckpt(tmp_path / "ckpt.npy")["epoch"]) == 20


def test_figure_folder_replaced_by_a_file_after_training(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=5, result_img_path=str(tmp_path / "figs" / "r.png")))
    trainer.train()
    (tmp_path / "figs").write_text("now a file")
    with pytest.raises(ConfigError, match="result_img_path .*r.png' cannot be written: .*figs' is a file"):
        trainer.test()                                            # checked again before drawing
    assert int(load_ckpt(tmp_path / "ckpt.npy")["epoch"]) == 5


def load_demo_module():
    spec = importlib.util.spec_from_file_location("demo", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- checkpoints that must not be loaded ----------------------------------------------------------
class Payload:
    """Unpickling this creates the file ``marker``: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def write_pickled_npy(path, obj):
    with open(path, "wb") as f:
        np.save(f, np.array([obj], dtype=object), allow_pickle=True)


def test_original_pickled_checkpoint_is_refused(run_demo, tmp_path):
    # the original program: np.save of a dict of layers, i.e. an object array
    write_pickled_npy(tmp_path / "ckpt.npy", {"layers_dim": [1, 25, 1], "w": [np.zeros(3)]})
    before = (tmp_path / "ckpt.npy").read_bytes()
    result = run_demo("--total-epochs", 5)
    assert_one_line_error(result, "ckpt.npy", "pickle", "--import-original PATH --out DIR", "move it away")
    assert (tmp_path / "ckpt.npy").read_bytes() == before


@pytest.mark.parametrize("kind", ["npy", "raw"])
def test_crafted_pickle_never_runs(run_demo, tmp_path, kind):
    marker = tmp_path / "pwned"
    if kind == "npy":
        write_pickled_npy(tmp_path / "ckpt.npy", Payload(str(marker)))
    else:
        (tmp_path / "ckpt.npy").write_bytes(pickle.dumps(Payload(str(marker))))
    result = run_demo("--total-epochs", 5)
    assert_one_line_error(result, "ckpt.npy", "pickle")
    assert not marker.exists()


def valid_checkpoint_bytes(tmp_path) -> bytes:
    trainer = Trainer(config(tmp_path, total_epochs=3, ckpt_path=str(tmp_path / "valid.npy")))
    trainer.train()
    return (tmp_path / "valid.npy").read_bytes()


def record_with(tmp_path, **changes) -> bytes:
    """A valid checkpoint with fields changed (None removes one), as bytes."""
    valid_checkpoint_bytes(tmp_path)
    state = load_checkpoint(str(tmp_path / "valid.npy"))
    for name, value in changes.items():
        if value is None:
            del state[name]
        else:
            state[name] = value
    save_checkpoint(str(tmp_path / "changed.npy"), state)
    return (tmp_path / "changed.npy").read_bytes()


def bad_bytes(kind, tmp_path) -> bytes:
    if kind == "empty":
        return b""
    if kind == "truncated":
        data = valid_checkpoint_bytes(tmp_path)
        return data[: len(data) // 2]
    if kind == "random":
        return bytes(random.Random(0).randrange(256) for _ in range(2000))
    if kind == "plain array":
        path = tmp_path / "plain.npy"
        np.save(path, np.arange(6.0))
        return path.read_bytes()
    if kind == "npz":
        path = tmp_path / "archive.npz"
        np.savez(path, w0=np.zeros((25, 1)))
        return path.read_bytes()
    if kind == "missing w1":
        return record_with(tmp_path, w1=None)
    if kind == "missing epoch":
        return record_with(tmp_path, epoch=None)
    if kind == "nan weight":
        return record_with(tmp_path, w0=np.full((25, 1), np.nan))
    if kind == "wrong shape":
        return record_with(tmp_path, b0=np.zeros((24, 1)))
    if kind == "string epoch":
        return record_with(tmp_path, epoch=np.str_("ten"))
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["empty", "truncated", "random", "plain array", "npz", "missing w1",
                                  "missing epoch", "nan weight", "wrong shape", "string epoch"])
def test_unusable_checkpoint_is_a_clear_error_and_untouched(run_demo, tmp_path, kind):
    data = bad_bytes(kind, tmp_path)
    (tmp_path / "ckpt.npy").write_bytes(data)
    result = run_demo("--total-epochs", 5)
    assert_one_line_error(result, "checkpoint ./ckpt.npy")
    assert (tmp_path / "ckpt.npy").read_bytes() == data
    assert not (tmp_path / "result.png").exists()


def test_mismatched_checkpoint_names_both_and_the_ways_out(run_demo, tmp_path):
    assert run_demo("--total-epochs", 3, "--ckpt-path", "mine.npy").returncode == 0
    before = (tmp_path / "mine.npy").read_bytes()
    result = run_demo("--total-epochs", 6, "--layers-dim", 1, 30, 1, "--ckpt-path", "mine.npy")
    assert_one_line_error(result, "layers_dim [1, 25, 1] -> [1, 30, 1]", "move the checkpoint away", "--ckpt-path", "--out")
    result = run_demo("--total-epochs", 6, "--learning-rate", 0.1, "--ckpt-path", "mine.npy")
    assert_one_line_error(result, "learning_rate 0.03 -> 0.1", "--warm-start")
    result = run_demo("--total-epochs", 6, "--activation", "relu", "--ckpt-path", "mine.npy")
    assert_one_line_error(result, "activation sigmoid -> relu")
    assert (tmp_path / "mine.npy").read_bytes() == before


def test_another_net_at_the_default_checkpoint_gets_a_folder_of_its_own(run_demo, tmp_path):
    assert run_demo("--total-epochs", 3, figures=True).returncode == 0                        # the article's net
    before = {name: (tmp_path / name).read_bytes() for name in ("ckpt.npy", "metrics.csv", "result.png")}
    result = run_demo("--total-epochs", 3, "--layers-dim", 1, 30, 10, 1, figures=True)         # as after editing layers_dim
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("./ckpt.npy holds another run (layers_dim [1, 25, 1] -> [1, 30, 10, 1]): "
                                             "this run keeps its files in runs/layers_dim=1-30-10-1/ "
                                             "(--out chooses the folder)")
    folder = tmp_path / "runs" / "layers_dim=1-30-10-1"
    assert load_ckpt(folder / "ckpt.npy")["layers_dim"].tolist() == [1, 30, 10, 1]
    assert {p.name for p in folder.iterdir()} >= {"ckpt.npy", "metrics.csv", "result.png", "loss.png"}
    assert before == {name: (tmp_path / name).read_bytes() for name in before}   # nothing of the first run lost
    again = run_demo("--total-epochs", 5, "--layers-dim", 1, 30, 10, 1, figures=True)           # and it resumes there
    assert "load models finish: runs/layers_dim=1-30-10-1/ckpt.npy (epoch 3" in again.stdout


# ---- divergence ------------------------------------------------------------------------------------------
def test_divergence_stops_and_keeps_the_last_finite_checkpoint(run_demo, tmp_path):
    result = run_demo("--learning-rate", 50, "--total-epochs", 1000, "--ckpt-every", 1)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "diverged at epoch" in lines[0] and "--learning-rate" in lines[0], result.stderr
    state = load_checkpoint(str(tmp_path / "ckpt.npy"))       # loads: every weight finite
    diverged_at = int(lines[0].split("diverged at epoch ")[1].split()[0])
    assert int(state["epoch"]) < diverged_at
    assert not (tmp_path / "result.png").exists()


def test_divergence_before_any_checkpoint_writes_none(run_demo, tmp_path):
    result = run_demo("--learning-rate", 1e6, "--total-epochs", 50)
    assert result.returncode == 1 and "no checkpoint was written" in result.stderr
    assert not (tmp_path / "ckpt.npy").exists()


def test_a_run_that_writes_nothing_leaves_no_empty_folder(run_demo, tmp_path):
    run_demo("--total-epochs", 2)                                     # a finished run at ./ckpt.npy
    diverged = run_demo("--learning-rate", 1e6, "--total-epochs", 50)  # another run: runs/learning_rate=.../
    assert diverged.returncode == 1 and "runs/learning_rate=1000000.0/" in diverged.stdout
    assert run_demo("--out", "mine/deep", "--learning-rate", 1e6, "--total-epochs", 50).returncode == 1
    assert not (tmp_path / "runs").exists() and not (tmp_path / "mine").exists()
    (tmp_path / "kept").mkdir()                                       # a folder that was there stays
    assert run_demo("--out", "kept", "--learning-rate", 1e6, "--total-epochs", 50).returncode == 1
    assert (tmp_path / "kept").is_dir()


# ---- crashes and full disks --------------------------------------------------------------------------
def test_kill_9_at_random_moments_never_leaves_a_partial_checkpoint(tmp_path):
    rng = random.Random(1)
    flags = ["--total-epochs", "100000000", "--ckpt-every", "1", "--log-every", "100000000", "--animation-path", ""]
    for _ in range(4):
        saved = (tmp_path / "ckpt.npy").stat().st_mtime_ns if (tmp_path / "ckpt.npy").exists() else None
        process = subprocess.Popen([sys.executable, DEMO, *flags], cwd=tmp_path, env=headless_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and saved == ((tmp_path / "ckpt.npy").stat().st_mtime_ns
                                                        if (tmp_path / "ckpt.npy").exists() else None):
            time.sleep(0.005)                                   # until this run's first save: it is saving now
        time.sleep(rng.uniform(0.0, 0.15))                      # then at a random moment among its saves
        process.send_signal(signal.SIGKILL)
        process.wait()
        if (tmp_path / "ckpt.npy").exists():
            load_checkpoint(str(tmp_path / "ckpt.npy"))       # whole, whatever the moment
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("ckpt.npy", "metrics.csv"))
        temps = [name for name in leftovers if name.startswith((".ckpt.npy.", ".metrics.csv.")) and name.endswith(".tmp")]
        assert len(temps) <= 1 and set(leftovers) - set(temps) <= {"ckpt.npy.lock", "metrics.csv.lock"}, leftovers
    k = int(load_ckpt(tmp_path / "ckpt.npy")["epoch"])
    assert k > 0
    env = headless_env()
    subprocess.run([sys.executable, DEMO, "--total-epochs", str(k + 5), "--no-show", "--animation-path", ""], cwd=tmp_path, env=env,
                   capture_output=True, check=True)
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith((".png", ".gif")))
    assert left == ["ckpt.npy", "metrics.csv"]                      # no lock, no temp file left
    os.mkdir(tmp_path / "straight")
    subprocess.run([sys.executable, DEMO, "--total-epochs", str(k + 5), "--no-resume", "--no-show",
                    "--animation-path", ""],
                   cwd=tmp_path / "straight", env=env, capture_output=True, check=True)
    for name in ("ckpt.npy", "metrics.csv"):
        assert (tmp_path / name).read_bytes() == (tmp_path / "straight" / name).read_bytes(), name


def test_full_disk_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    path = str(tmp_path / "ckpt.npy")
    save_checkpoint(path, {"a": np.arange(3.0)})
    before = (tmp_path / "ckpt.npy").read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(CheckpointError, match="No space left on device.*previous checkpoint"):
        save_checkpoint(path, {"a": np.arange(4.0)})
    assert (tmp_path / "ckpt.npy").read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npy"]


def test_ctrl_c_in_the_middle_of_a_save(tmp_path, monkeypatch):
    path = str(tmp_path / "ckpt.npy")
    save_checkpoint(path, {"a": np.arange(3.0)})
    before = (tmp_path / "ckpt.npy").read_bytes()

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, {"a": np.arange(4.0)})
    assert (tmp_path / "ckpt.npy").read_bytes() == before and os.listdir(tmp_path) == ["ckpt.npy"]


def test_save_writes_through_a_file_object_with_no_npy_suffix_added(tmp_path):
    path = str(tmp_path / "model.ckpt")
    save_checkpoint(path, {"a": np.arange(3.0)})
    assert os.listdir(tmp_path) == ["model.ckpt"]
    np.testing.assert_array_equal(np.load(path, allow_pickle=False)["a"], [0.0, 1.0, 2.0])


def test_a_burst_of_signals_during_a_save_leaves_the_file_whole_and_no_temp(tmp_path, monkeypatch):
    from code.run.signals import StopOnSignal
    path = str(tmp_path / "ckpt.npy")
    real_fsync = os.fsync

    def burst(fd):                                                  # two Ctrl-C in the middle of the write
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        real_fsync(fd)
    monkeypatch.setattr(atomic.os, "fsync", burst)
    with StopOnSignal(), pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, {"a": np.arange(3.0)})                # the second one aborts, after the save
    monkeypatch.undo()
    assert load_checkpoint.__name__ and sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npy"]
    assert np.load(path, allow_pickle=False)["a"].tolist() == [0.0, 1.0, 2.0]


def test_a_full_disk_while_drawing_keeps_the_previous_figure(tmp_path, monkeypatch):
    from code.see import output
    trainer = Trainer(config(tmp_path, total_epochs=3))
    trainer.train()
    trainer.test()
    before = (tmp_path / "result.png").read_bytes()

    def full(fig, f, **kwargs):
        f.write(b"\x89PNG half a figure")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(output.Figure, "savefig", full)
    with pytest.raises(OSError, match="cannot write figure .*result.png: No space left on device"):
        trainer.test()
    assert (tmp_path / "result.png").read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_compare_leaves_no_temporary_folder(tmp_path, signum):
    env = dict(headless_env(), TMPDIR=str(tmp_path))
    process = subprocess.Popen([sys.executable, DEMO, "--compare", "learning_rate=0.01,0.02", "--total-epochs",
                                "10000000", "--animation-path", ""], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not list(tmp_path.glob("hjlnet-compare-*")):
        time.sleep(0.01)                                             # its runs are built: training starts
    time.sleep(0.3)
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode != 0 and "Traceback" not in err, err
    assert not list(tmp_path.glob("hjlnet-compare-*"))
