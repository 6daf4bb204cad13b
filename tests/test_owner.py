"""One run, one owner (issue 26): what a command may touch, the lock, the save that checks what it
replaces, names that fit, a second Ctrl-C, and the importer's --out."""

import errno
import os
import re
import shlex

import numpy as np
import pytest
from conftest import DEMO, load_ckpt
from test_demo import config
from test_faults import assert_one_line_error
from test_import_original import write_original_checkpoint

from code.config.validate import ConfigError
from code.run.checks import CheckpointError
from code.run.runlock import CheckpointInUse
from code.scripts.trainer import Trainer


def files(folder) -> dict:
    """{relative path: bytes} of every file under ``folder``."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder)] = open(path, "rb").read()
    return found


@pytest.fixture
def finished(run_demo, tmp_path):
    """A folder holding a finished default run (3 epochs, every figure), and its files."""
    assert run_demo("--total-epochs", 3, figures=True, animation=True).returncode == 0
    return files(tmp_path)


LOOKING = [("--explain", "--no-resume", "--layers-dim", 1, 2, 1), ("--explain",),
           ("--check-gradients", "--layers-dim", 1, 30, 1), ("--check-gradients", "--no-resume"), ("--help",),
           ("--no-resume",), ("--out", ".", "--learning-rate", 0.1), ("--total-epochs", 3, "--ckpt-path", "./ckpt.npy",
                                                                      "--layers-dim", 1, 9, 1, "--out", ".")]


@pytest.mark.parametrize("flags", LOOKING)
def test_commands_that_only_look_or_are_refused_touch_no_file(run_demo, tmp_path, finished, flags):
    result = run_demo(*flags)
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr and "Epoch:" not in result.stdout
    now = files(tmp_path)
    made = set(now) - set(finished)                        # a picture the command made, named in its output
    assert all(re.search(rf"saved: (\./)?{re.escape(name)}$", result.stdout, re.M) for name in made), made
    assert {name: now[name] for name in finished} == finished   # nothing of the run written, renamed or removed


def test_a_changed_setting_leaves_the_finished_run_byte_for_byte(run_demo, tmp_path, finished):
    for flags in (("--learning-rate", 0.1), ("--batch-size", 50), ("--momentum", 0.5), ("--layers-dim", 1, 9, 1)):
        result = run_demo("--total-epochs", 3, *flags)
        assert result.returncode == 0 and "Epoch: 1/3 Iteration: 0" in result.stdout, result.stderr
        assert {name: data for name, data in files(tmp_path).items() if not name.startswith("runs")} == finished
    assert len(os.listdir(tmp_path / "runs")) == 4


def test_a_save_never_replaces_a_checkpoint_another_trainer_wrote(tmp_path):
    Trainer(config(tmp_path, total_epochs=2)).train()
    early = Trainer(config(tmp_path, total_epochs=4, resume=True))
    late = Trainer(config(tmp_path, total_epochs=6, resume=True))
    late.train()
    newer = (tmp_path / "ckpt.npy").read_bytes()
    with pytest.raises(CheckpointError, match="was replaced by another run since this Trainer loaded it"):
        early.train()                                       # refused before any training
    early.save_models()                                     # nothing new to save: nothing written
    assert (tmp_path / "ckpt.npy").read_bytes() == newer and early.epoch == 2


def test_one_trainer_holds_the_run_and_another_is_refused(tmp_path):
    Trainer(config(tmp_path, total_epochs=2)).train()
    first, second = (Trainer(config(tmp_path, total_epochs=4, resume=True)) for _ in range(2))
    with first.holding():
        with pytest.raises(CheckpointInUse, match=rf"in use by another run \(pid {os.getpid()}\)"):
            second.train()
        with pytest.raises(CheckpointInUse):
            second.test()
    second.train()                                          # once released
    assert int(load_ckpt(tmp_path / "ckpt.npy")["epoch"]) == 4


def test_no_resume_over_a_checkpoint_is_refused_before_training(run_demo, tmp_path, finished):
    result = run_demo("--no-resume", "--total-epochs", 5)
    assert_one_line_error(result, "checkpoint ./ckpt.npy exists: this run does not replace it", "--resume", "--out")
    assert "Epoch:" not in result.stdout and files(tmp_path) == finished


@pytest.mark.parametrize("dangling", [False, True])
def test_the_lock_never_follows_a_link(run_demo, tmp_path, dangling):
    target = tmp_path / "victim.txt"
    if not dangling:
        target.write_text("keep me\n")
    os.symlink(target, tmp_path / "ckpt.npy.lock")
    result = run_demo("--total-epochs", 2)
    assert_one_line_error(result, "cannot lock checkpoint ./ckpt.npy", "symbolic link")
    assert (target.read_text() == "keep me\n") if not dangling else not target.exists()
    assert not (tmp_path / "ckpt.npy").exists()


def test_a_lock_path_that_is_not_a_file_is_refused(run_demo, tmp_path):
    os.mkdir(tmp_path / "ckpt.npy.lock")
    assert_one_line_error(run_demo("--total-epochs", 2), "cannot lock checkpoint ./ckpt.npy")
    os.rmdir(tmp_path / "ckpt.npy.lock")
    os.mkfifo(tmp_path / "ckpt.npy.lock")
    assert_one_line_error(run_demo("--total-epochs", 2), "ckpt.npy.lock is not a regular file")


def test_leftover_temporaries_of_every_output_are_removed_by_the_next_run(run_demo, tmp_path):
    assert run_demo("--total-epochs", 2, figures=True).returncode == 0
    left = [".ckpt.npy.a1b2c3d4.tmp", ".metrics.csv.a1b2c3d4.tmp", ".result.png.a1b2c3d4.tmp",
            ".training.gif.a1b2c3d4.tmp", ".hidden.png.zz99zz99.tmp"]
    for name in left:
        (tmp_path / name).write_bytes(b"half")
    (tmp_path / ".notes.txt.a1b2c3d4.tmp").write_bytes(b"not ours")
    assert run_demo("--total-epochs", 3, figures=True, animation=True).returncode == 0
    assert not any((tmp_path / name).exists() for name in left) and (tmp_path / ".notes.txt.a1b2c3d4.tmp").exists()


def test_a_name_that_cannot_hold_its_temporary_is_refused_before_training(run_demo, tmp_path):
    long = "c" * 238 + ".npy"                                # 242 bytes: legal, but not with ".XXXXXXXX.tmp" beside it
    result = run_demo("--total-epochs", 2, "--ckpt-path", long)
    assert_one_line_error(result, "ckpt_path: the file name", "242 bytes", "limit of 255")
    assert "Epoch:" not in result.stdout and os.listdir(tmp_path) == []
    fits = "c" * 237 + ".npy"                                # 241: fits, with its temporary and lock
    result = run_demo("--total-epochs", 2, "--ckpt-path", fits, "--metrics-path", "m.csv", "--compare-img-path", "c.png")
    assert result.returncode == 0, result.stderr
    derived = run_demo("--total-epochs", 2, "--ckpt-path", fits)                 # its metrics: c...c.metrics.csv
    assert_one_line_error(derived, "metrics_path: the file name")


def test_every_run_folder_the_project_names_fits(run_demo, tmp_path):
    assert run_demo("--total-epochs", 1).returncode == 0
    dims = [1, *[100] * 40, 1]
    result = run_demo("--total-epochs", 1, "--layers-dim", *dims, "--batch-size", 200)
    assert result.returncode == 0, result.stderr
    (folder,) = os.listdir(tmp_path / "runs")
    assert len(folder.encode()) <= 80 and folder.startswith("layers_dim=1-100-100-")
    assert f"runs/{folder}/" in result.stdout
    again = run_demo("--total-epochs", 2, "--layers-dim", *dims, "--batch-size", 200)
    assert f"load models finish: runs/{folder}/ckpt.npy (epoch 1" in again.stdout


def test_a_second_ctrl_c_mid_epoch_puts_the_trainer_back_at_its_checkpoint(tmp_path, capsys):
    trainer = Trainer(config(tmp_path / "stopped", total_epochs=6, ckpt_every=2))
    step, calls = trainer.optimizer.step, []

    def interrupted(grads):
        calls.append(1)
        if len(calls) == 3 * 3 + 2:                         # epoch 4, its second batch
            raise KeyboardInterrupt
        step(grads)
    trainer.optimizer.step = interrupted
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    assert "the Trainer is back at epoch 2" in capsys.readouterr().err
    saved = load_ckpt(tmp_path / "stopped" / "ckpt.npy")
    assert (trainer.epoch, trainer.iteration, len(trainer.history.epochs)) == (2, 6, 2)
    for name, value in trainer.net.parameters().items():
        np.testing.assert_array_equal(value, saved[name])
    trainer.optimizer.step = step
    trainer.train()
    Trainer(config(tmp_path / "straight", total_epochs=6, ckpt_every=2)).train()
    for name in ("ckpt.npy", "metrics.csv"):
        assert (tmp_path / "stopped" / name).read_bytes() == (tmp_path / "straight" / name).read_bytes()


def test_a_full_disk_at_the_metrics_append_keeps_the_checkpoint_and_every_row(tmp_path, monkeypatch):
    trainer = Trainer(config(tmp_path, total_epochs=4, ckpt_every=2))
    from code.run import metrics

    real_write = os.write

    def full(fd, data):
        if data.startswith(b"7,"):                           # the append of epochs 7 and 8
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)
    trainer.train()
    before = {name: (tmp_path / name).read_bytes() for name in ("ckpt.npy", "metrics.csv")}
    monkeypatch.setattr(metrics.os, "write", full)
    cfg = trainer.source
    cfg.total_epochs = 8
    with pytest.raises(OSError, match="cannot write metrics .*No space left on device"):
        trainer.train()
    monkeypatch.undo()
    after = {name: (tmp_path / name).read_bytes() for name in before}
    assert int(load_ckpt(tmp_path / "ckpt.npy")["epoch"]) == 6                 # the save before the full disk
    assert after["metrics.csv"].startswith(before["metrics.csv"])
    assert len(after["metrics.csv"].decode().splitlines()) == 1 + 6           # every row the checkpoint has
    again = Trainer(config(tmp_path, total_epochs=8, resume=True))
    assert again.epoch == 6 and len(again.history.epochs) == 6


def test_a_checkpoint_holding_nan_says_nan(run_demo, tmp_path):
    from code.run.checkpoint import save_checkpoint
    trainer = Trainer(config(tmp_path, total_epochs=2))
    trainer.train()
    state = trainer.state()
    state["w0"] = state["w0"].copy()
    state["w0"][3, 0] = np.nan
    save_checkpoint(str(tmp_path / "ckpt.npy"), state)
    assert_one_line_error(run_demo("--total-epochs", 3, "--ckpt-path", str(tmp_path / "ckpt.npy")), "w0 holds NaN")


def test_import_honours_out_and_its_command_goes_on_from_the_imported_weights(run_demo, tmp_path, finished):
    layers = write_original_checkpoint(tmp_path / "original.npy", [1, 25, 1])
    before = files(tmp_path)
    result = run_demo("--import-original", "original.npy", "--out", "runs/imported")
    assert result.returncode == 0, result.stderr
    assert "checkpoint written: runs/imported/ckpt.npy" in result.stdout
    assert {n: d for n, d in files(tmp_path).items() if not n.startswith("runs")} == before   # ./ckpt.npy untouched
    command = shlex.split(result.stdout.split("to train on from it: ")[1].strip())
    assert os.path.samefile(tmp_path / command[1], DEMO) and "--out" in command
    trained = run_demo(*command[2:], "--total-epochs", 1, "--log-every", 1)
    assert "load models finish: runs/imported/ckpt.npy (epoch 0, iteration 0)" in trained.stdout
    from code.scripts.network import network
    net = network([1, 25, 1], "sigmoid", "uniform", rng=np.random.RandomState(0))
    net.load_parameters({"w0": layers[0].weight, "b0": layers[0].bias, "w1": layers[1].weight, "b1": layers[1].bias})
    from code.scripts.Dataset import Dataset
    data = Dataset()
    x, y = data.x.reshape(1, -1)[:, :90], data.y.reshape(1, -1)[:, :90]
    first_loss = float(np.mean((net.forward(x)[1] - y) ** 2))            # the imported weights' first batch
    assert f"Epoch: 1/1 Iteration: 0 Loss: {first_loss!r}" in trained.stdout


def test_a_changed_path_on_a_built_trainer_is_checked_again(tmp_path):
    cfg = config(tmp_path, total_epochs=2)
    trainer = Trainer(cfg)
    trainer.train()
    cfg.result_img_path = cfg.ckpt_path.replace(".npy", ".png")
    cfg.loss_img_path = cfg.result_img_path
    with pytest.raises(ConfigError, match="loss_img_path and result_img_path are the same file"):
        trainer.test()


# ---- every moment of a save: kill -9, and a full disk ----------------------------------------------------
FAULT_POINTS = ("write", "fsync", "replace", "rename", "ftruncate")      # each write and rename of a save


def fail_at(k: int, fault) -> None:
    """Make the k-th call of any FAULT_POINTS function (in this process, from now on) call ``fault``."""
    calls = [0]
    for name in FAULT_POINTS:
        real = getattr(os, name)

        def hooked(*args, real=real):
            calls[0] += 1
            if calls[0] == k:
                fault()
            return real(*args)
        setattr(os, name, hooked)


def resumed_rows(folder) -> tuple:
    """(the checkpoint's epoch, the epochs of the rows a new Trainer reads back) after a fault."""
    trainer = Trainer(config(folder, total_epochs=6, ckpt_every=2, resume=True))
    return trainer.epoch, trainer.history.epochs


def test_kill_9_at_every_write_and_rename_of_a_save_loses_no_row(tmp_path):
    Trainer(config(tmp_path / "straight", total_epochs=6, ckpt_every=2)).train()
    k = 0
    while True:
        k += 1
        folder = tmp_path / f"killed-{k}"
        Trainer(config(folder, total_epochs=2, ckpt_every=2)).train()           # a finished checkpoint to go on from
        pid = os.fork()
        if pid == 0:                                                            # the run that is killed at call k
            fail_at(k, lambda: os._exit(9))
            try:
                Trainer(config(folder, total_epochs=6, ckpt_every=2, resume=True)).train()
            finally:
                os._exit(0)
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        epoch, rows = resumed_rows(folder)
        assert epoch in (2, 4, 6) and rows == list(range(1, epoch + 1)), (k, epoch, rows)
        Trainer(config(folder, total_epochs=6, ckpt_every=2, resume=True)).train()
        for name in ("ckpt.npy", "metrics.csv"):
            assert (folder / name).read_bytes() == (tmp_path / "straight" / name).read_bytes(), (k, name)
        if status == 0:                                                         # past the last call: every moment tried
            break
    assert k > 10


def test_a_full_disk_at_every_write_and_rename_of_a_save_loses_no_row(tmp_path, monkeypatch):
    for k in range(1, 40):
        folder = tmp_path / f"full-{k}"
        Trainer(config(folder, total_epochs=2, ckpt_every=2)).train()
        with monkeypatch.context() as patch:
            for name in FAULT_POINTS:
                patch.setattr(os, name, getattr(os, name))                    # undone at the end of the block
            fail_at(k, lambda: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
            try:
                Trainer(config(folder, total_epochs=6, ckpt_every=2, resume=True)).train()
            except (OSError, CheckpointError, CheckpointInUse):
                pass
        epoch, rows = resumed_rows(folder)
        assert epoch in (2, 4, 6) and rows == list(range(1, epoch + 1)), (k, epoch, rows)
        assert not [p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".lock"))], k
