"""The CLI trainer: python demo.py, flags, checkpoint, exact resume, Ctrl-C, figures (issue 3)."""

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import DEMO, headless_env, load_ckpt
from easydict import EasyDict
from seed_reference import SeedDataLoader, SeedDataset, SeedNetwork, seed_train

from code.config.default_config import _C
from code.run.signals import StopOnSignal
from code.scripts.Dataset import Dataset
from code.scripts.trainer import Trainer
from code.see import output

LOG_LINE = re.compile(r"^Epoch: (\d+)/(\d+) Iteration: (\d+) Loss: (\S+)$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def log_lines(stdout: str) -> list:
    """[(epoch, total, iteration, loss)] of the lines in the article's format."""
    found = [LOG_LINE.match(line) for line in stdout.splitlines()]
    return [(int(m[1]), int(m[2]), int(m[3]), float(m[4])) for m in found if m]


def config(tmp_path, **overrides) -> EasyDict:
    """_C with every path in tmp_path, no window, no animation (tests of it turn it on), and ``overrides``."""
    cfg = EasyDict(dict(_C))
    cfg.update(ckpt_path=str(tmp_path / "ckpt.npy"), result_img_path=str(tmp_path / "result.png"),
               loss_img_path=str(tmp_path / "loss.png"), progress_img_path=str(tmp_path / "progress.png"),
               metrics_path=str(tmp_path / "metrics.csv"), hidden_img_path=str(tmp_path / "hidden.png"),
               gradients_img_path=str(tmp_path / "gradients.png"), net_img_path=str(tmp_path / "net.png"),
               animation_path="",
               compare_img_path=str(tmp_path / "compare.png"), show=False, resume=False)
    cfg.update(overrides)
    return cfg


def test_demo_runs_headless_and_logs_like_the_article(run_demo, tmp_path):
    result = run_demo("--total-epochs", 250, animation=True, figures=True, process=True)   # a real headless process
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""                                  # no warning, no traceback
    assert "no checkpoint at ./ckpt.npy: training from scratch" in result.stdout
    lines = log_lines(result.stdout)
    assert [(e, it) for e, _, it, _ in lines] == [(1, 0), (1, 1), (1, 2), (101, 300), (101, 301),
                                                  (101, 302), (201, 600), (201, 601), (201, 602)]
    assert all(total == 250 for _, total, _, _ in lines)
    # the logged losses are the article's: same initial weights (seed 0), same batch losses
    np.random.seed(0)                                           # the article's program, seeded with 0
    seed_net = SeedNetwork([1, 25, 1])
    seed_losses = seed_train(seed_net, SeedDataLoader(SeedDataset(), 90), epochs=250, log_every=100)
    assert [loss for _, _, _, loss in lines] == [float(loss) for loss in seed_losses]
    for name in ("result.png", "loss.png", "progress.png", "hidden.png", "gradients.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC
    assert (tmp_path / "training.gif").read_bytes()[:6] == b"GIF89a"
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    assert int(ckpt["epoch"]) == 250 and int(ckpt["iteration"]) == 750
    assert list(ckpt["layers_dim"]) == [1, 25, 1] and str(ckpt["activation"]) == "sigmoid"
    for i, linear in enumerate(seed_net.linear_list):          # the article's weights, bit for bit
        np.testing.assert_array_equal(ckpt[f"w{i}"], linear.weight)
        np.testing.assert_array_equal(ckpt[f"b{i}"], linear.bias)
    rows = (tmp_path / "metrics.csv").read_text().splitlines()                   # a plain CSV
    assert rows[0] == "epoch,loss,grad_norm_0,grad_norm_1,saturated_1" and len(rows) == 251
    first = [float(v) for v in rows[1].split(",")]
    epoch_1 = [loss for e, _, _, loss in lines if e == 1]          # its three batches: 90, 90, 20 points
    assert first[0] == 1 and first[1] == pytest.approx((90 * epoch_1[0] + 90 * epoch_1[1] + 20 * epoch_1[2]) / 200,
                                                       rel=1e-12)


def test_checkpoint_bytes_are_deterministic(run_demo, tmp_path):
    for name in ("a.npy", "b.npy"):
        assert run_demo("--total-epochs", 120, "--ckpt-path", name).returncode == 0
    assert (tmp_path / "a.npy").read_bytes() == (tmp_path / "b.npy").read_bytes()


def test_checkpoint_round_trip(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=30, progress_epochs=[10, 20]))
    trainer.train()
    again = Trainer(config(tmp_path, total_epochs=30, resume=True))
    assert (again.epoch, again.iteration) == (30, 90)
    assert again.history.values == trainer.history.values and sorted(again.snapshots) == [10, 20]
    for name, param in trainer.net.parameters().items():
        np.testing.assert_array_equal(again.net.parameters()[name], param)
    first = (tmp_path / "ckpt.npy").read_bytes()
    os.remove(tmp_path / "ckpt.npy")
    again.saved_epoch = None
    again.save_models()
    assert (tmp_path / "ckpt.npy").read_bytes() == first


def test_resume_continues_and_is_bit_identical(run_demo, tmp_path):
    first = run_demo("--total-epochs", 300, "--ckpt-path", "resumed.npy")
    assert first.returncode == 0
    second = run_demo("--total-epochs", 500, "--ckpt-path", "resumed.npy")
    assert second.returncode == 0, second.stderr
    assert "load models finish: resumed.npy (epoch 300, iteration 900)" in second.stdout
    assert log_lines(second.stdout)[0][:3] == (301, 500, 900)
    straight = run_demo("--total-epochs", 500, "--ckpt-path", "straight.npy", "--no-resume")
    assert straight.returncode == 0
    assert (tmp_path / "resumed.npy").read_bytes() == (tmp_path / "straight.npy").read_bytes()


def test_checkpoint_already_at_target(run_demo, tmp_path):
    assert run_demo("--total-epochs", 50, figures=True).returncode == 0
    before = (tmp_path / "ckpt.npy").read_bytes()
    os.remove(tmp_path / "result.png")
    result = run_demo("--total-epochs", 40, figures=True)
    assert result.returncode == 0
    assert "already at epoch 50 of total_epochs 40: nothing to train" in result.stdout
    assert "--total-epochs 1050" in result.stdout
    assert (tmp_path / "ckpt.npy").read_bytes() == before
    assert (tmp_path / "result.png").exists()                  # still tests and plots


def test_periodic_checkpoints(run_demo):
    result = run_demo("--total-epochs", 250, "--ckpt-every", 100)
    saved = re.findall(r"save models finish: \./ckpt\.npy \(epoch (\d+)", result.stdout)
    assert saved == ["100", "200", "250"]


def start_long_run(tmp_path, *flags):
    """``python demo.py`` training for a long time in tmp_path; returns once epoch 1001 is logged."""
    env = dict(headless_env(), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, DEMO, "--total-epochs", "10000000", "--log-every", "500",
                                "--ckpt-every", "100000000", "--animation-path", "", *flags], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:                                  # wait until training is under way
        if line.startswith("Epoch: 1001/"):
            break
    return process


@pytest.mark.parametrize("signum,name", [(signal.SIGINT, "Ctrl-C"), (signal.SIGTERM, "SIGTERM"),
                                         (signal.SIGHUP, "SIGHUP")])
def test_stop_signal_saves_then_resume_is_exact(run_demo, tmp_path, signum, name):
    process = start_long_run(tmp_path, "--ckpt-path", "run.npy", "--no-resume")
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert f"{name}: stopping at the end of this epoch" in out
    hint = err.split("to go on: ", 1)[1].strip()
    assert f"interrupted by {name} after epoch" in err and "Traceback" not in err
    command = shlex.split(hint)
    assert os.path.samefile(tmp_path / command[1], DEMO)           # works from the folder it ran in
    assert command[2:] == ["--total-epochs", "10000000", "--log-every", "500", "--ckpt-every", "100000000",
                           "--animation-path", "", "--ckpt-path", "run.npy", "--resume"]
    k = int(load_ckpt(tmp_path / "run.npy")["epoch"])
    assert k > 1000 and not (tmp_path / "run.npy.lock").exists()
    if signum == signal.SIGHUP:
        return                                                      # the resume is the same for every signal
    resumed = run_demo("--total-epochs", k + 30, "--ckpt-path", "run.npy")         # its rows: run.metrics.csv
    straight = run_demo("--total-epochs", k + 30, "--ckpt-path", "straight.npy", "--no-resume")
    assert resumed.returncode == straight.returncode == 0, resumed.stderr
    assert (tmp_path / "run.npy").read_bytes() == (tmp_path / "straight.npy").read_bytes()
    assert (tmp_path / "run.metrics.csv").read_bytes() == (tmp_path / "straight.metrics.csv").read_bytes()


def test_second_signal_aborts_at_once():
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)   # SIG_IGN in a background job
    with StopOnSignal() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)                                        # let the handler run
        assert stop.requested() and stop.name() == "Ctrl-C"
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before     # put back as found


def test_flags_override_the_config(run_demo, tmp_path):
    result = run_demo("--layers-dim", 1, 30, 10, 1, "--activation", "tanh", "--init", "xavier",
                      "--total-epochs", 3, "--batch-size", 50, "--learning-rate", 0.01, "--seed", 4,
                      "--log-every", 1, "--ckpt-path", "out/c.npy", "--result-img-path", "out/r.png")
    assert result.returncode == 0, result.stderr
    ckpt = load_ckpt(tmp_path / "out" / "c.npy")
    assert list(ckpt["layers_dim"]) == [1, 30, 10, 1] and str(ckpt["activation"]) == "tanh"
    assert int(ckpt["iteration"]) == 12 and len(log_lines(result.stdout)) == 12
    assert (tmp_path / "out" / "r.png").exists()
    assert ckpt["w2"].shape == (1, 10)


def test_help_lists_every_key(run_demo):
    result = run_demo("--help")
    assert result.returncode == 0
    for key in _C:
        flag = "--" + key.replace("_", "-")
        assert flag in result.stdout, flag
    assert "--no-resume" in result.stdout and "--no-show" in result.stdout
    assert "--check-gradients" in result.stdout
    text = " ".join(result.stdout.split())                           # as argparse wraps it, unwrapped
    assert "(default: 40000)" in text and "(default: 0.03)" in text
    assert "--learning-rate LEARNING_RATE [run] step size" in text         # the keys that define a run
    assert "--total-epochs TOTAL_EPOCHS train until" in text                # and those that only say how long


def test_check_gradients(run_demo):
    result = run_demo("--check-gradients", "--layers-dim", 1, 30, 10, 1)
    assert result.returncode == 0, result.stderr
    errors = dict(re.findall(r"^(\w+): relative error (\S+)$", result.stdout, flags=re.MULTILINE))
    assert sorted(errors) == ["b0", "b1", "b2", "w0", "w1", "w2"]
    assert all(float(e) < 1e-6 for e in errors.values())


def test_editing_default_config_works_as_the_article_says(edited_config, tmp_path):
    result = edited_config({"_C.layers_dim = [1, 25, 1]": "_C.layers_dim = [1, 8, 1]",
                            "_C.total_epochs = 40000": "_C.total_epochs = 7"})
    assert result.returncode == 0, result.stderr
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    assert list(ckpt["layers_dim"]) == [1, 8, 1] and int(ckpt["epoch"]) == 7


def test_trainer_from_python_uses_explicit_figures(tmp_path):
    import matplotlib.pyplot as plt
    trainer = Trainer(config(tmp_path, total_epochs=20, progress_epochs=[5]))
    trainer.train()
    mse = trainer.test()
    assert mse == pytest.approx(float(np.mean((trainer.predict() - Dataset().y) ** 2)))
    assert plt.get_fignums() == []                              # nothing went to pyplot's global state
    assert (tmp_path / "progress.png").exists() and (tmp_path / "loss.png").exists()


def test_progress_snapshots_survive_resume_and_missing_ones_are_named(run_demo, tmp_path):
    assert run_demo("--total-epochs", 300, "--progress-epochs", 100, 250, figures=True).returncode == 0
    assert {100, 250} <= set(load_ckpt(tmp_path / "ckpt.npy")["snapshot_epochs"])   # with the animation's
    result = run_demo("--total-epochs", 320, "--progress-epochs", 55, 100, 250, 310, figures=True)   # 55: not an animation epoch
    assert result.returncode == 0
    assert "no snapshot of epoch(s) 55" in result.stdout
    assert {100, 250, 310} <= set(load_ckpt(tmp_path / "ckpt.npy")["snapshot_epochs"])


def test_no_window_without_a_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if sys.platform.startswith("linux"):
        assert output.can_show() is False
    monkeypatch.setenv("DISPLAY", ":99")
    import matplotlib
    monkeypatch.setitem(matplotlib.rcParams, "backend", "agg")
    assert output.can_show() is False
    monkeypatch.setitem(matplotlib.rcParams, "backend", "tkagg")   # a desktop: windows open
    assert output.can_show() is True


def test_every_file_a_run_writes_is_ignored_by_git_wherever_it_is_written(tmp_path):
    written = [os.path.basename(value) for key, value in _C.items() if key.endswith("_path") and value]
    assert len(written) == 10                                                  # every path but data_path ""
    written += ["ckpt.npy.lock", ".ckpt.npy.1234.tmp"]
    places = ["", "runs/layers_dim=1-30-10-1/", "notebooks/", "code/"]
    paths = [place + name for place in places for name in written]
    shutil.copy(os.path.join(os.path.dirname(DEMO), ".gitignore"), tmp_path)   # a repository of its own: CI's
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)               # copy of the tree has no .git
    result = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert sorted(result.stdout.split()) == sorted(paths)
    kept = subprocess.run(["git", "check-ignore", "--no-index", "code/docs/result.png", "code/docs/training.gif"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert kept.stdout == ""                                                   # the README's pictures


def test_ctrl_c_in_python_leaves_a_whole_epoch_and_training_on_gives_the_same_numbers(tmp_path, capsys):
    import threading

    from code.run.signals import TrainingStopped
    straight = Trainer(config(tmp_path / "straight", total_epochs=3000))
    straight.train()
    trainer = Trainer(config(tmp_path, total_epochs=3000))
    stops = 0
    for delay in (0.05, 0.11, 0.03):                                    # real SIGINTs at three moments
        threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            trainer.train()
        except TrainingStopped as stopped:
            stops += 1
            assert stopped.epoch == trainer.epoch == len(trainer.history.epochs) == trainer.saved_epoch
            assert trainer.iteration == 3 * trainer.epoch                  # no update of a half epoch
            assert int(load_ckpt(tmp_path / "ckpt.npy")["epoch"]) == trainer.epoch
        time.sleep(0.2)                                                 # a timer that came after the end
        trainer.cfg.resume = True
        if trainer.epoch == 3000:
            break
    trainer.train()                                                     # on to the end
    assert stops >= 1
    for ours, theirs in zip(trainer.net.linear_list, straight.net.linear_list):
        np.testing.assert_array_equal(ours.weight, theirs.weight)
    assert trainer.history.values["loss"] == straight.history.values["loss"]
    assert (tmp_path / "ckpt.npy").read_bytes() == (tmp_path / "straight" / "ckpt.npy").read_bytes()


def test_a_mistyped_flag_gets_the_nearest_names(run_demo):
    result = run_demo("--totl-epochs", 5)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == ["error: unrecognized arguments: --totl-epochs 5; did you mean "
                                          "--total-epochs or --progress-epochs? (see --help)"]


def test_help_is_grouped_as_the_config_file(run_demo):
    result = run_demo("--help")
    groups = [line[:-1] for line in result.stdout.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert groups == ["options", "the network", "training", "data", "checkpoint and files", "figures",
                      "lessons and tools (each does its one thing, then exits)"]
    network = result.stdout.split("the network:", 1)[1].split("training:", 1)[0]
    assert "--layers-dim" in network and "--learning-rate" not in network


def test_a_python_without_the_requirements_gets_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-S", DEMO], cwd=tmp_path, capture_output=True, text=True,  # -S: no site-packages
                            env=headless_env(), check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"error: numpy, matplotlib, easydict not installed for {sys.executable}: "
                                          "run the virtual environment's python (.venv/bin/python demo.py), or "
                                          "pip install -r requirements.txt"]


def test_changing_a_fixed_setting_on_a_built_trainer_is_refused_in_one_sentence(tmp_path):
    from code.config.validate import ConfigError
    cfg = config(tmp_path, total_epochs=3)
    trainer = Trainer(cfg)
    cfg.learning_rate = 0.1                                          # the optimizer holds 0.03
    with pytest.raises(ConfigError, match=r"^learning_rate is 0.1 but this Trainer was built with 0.03: build a new "
                                          r"Trainer\(cfg\)"):
        trainer.train()
    with pytest.raises(ConfigError, match="learning_rate"):
        trainer.save_models()                                        # never record what did not train
    assert not (tmp_path / "ckpt.npy").exists()
    cfg.learning_rate = 0.03
    cfg.total_epochs, cfg.log_every = 5, 1                           # how long and how loudly: live
    trainer.train()
    assert trainer.epoch == 5 and float(load_ckpt(tmp_path / "ckpt.npy")["learning_rate"]) == 0.03
    cfg.ckpt_every, cfg.total_epochs = 0, 6                          # checked again, as on the first build
    with pytest.raises(ConfigError, match="^ckpt_every"):
        trainer.train()
    cfg.ckpt_every, cfg.animation_path = 1000, cfg.ckpt_path         # the GIF over the checkpoint
    with pytest.raises(ConfigError, match="^animation_path"):
        trainer.test()
    assert trainer.epoch == 5 and float(load_ckpt(tmp_path / "ckpt.npy")["epoch"]) == 5


def test_trainer_leaves_the_callers_cfg_as_it_was(tmp_path, monkeypatch):
    from code.config import new_config
    monkeypatch.chdir(tmp_path)
    Trainer(new_config(total_epochs=2, show=False, animation_path="")).train()
    cfg = new_config(total_epochs=2, show=False, animation_path="", learning_rate=0.1)
    before = dict(cfg)
    trainer = Trainer(cfg)
    assert dict(cfg) == before and trainer.cfg.ckpt_path == os.path.join("runs", "learning_rate=0.1", "ckpt.npy")


def test_a_second_trainer_from_python_with_other_settings_gets_its_own_folder(tmp_path, monkeypatch, capsys):
    from code.config.default_config import _C
    monkeypatch.chdir(tmp_path)
    first = Trainer(EasyDict(dict(_C, total_epochs=3, show=False, animation_path="")))
    first.train()
    before = (tmp_path / "ckpt.npy").read_bytes()
    second = Trainer(EasyDict(dict(_C, total_epochs=3, show=False, animation_path="", learning_rate=0.1)))
    assert "this run keeps its files in runs/learning_rate=0.1/ (cfg.out chooses the folder; " in capsys.readouterr().out
    second.train()
    assert second.epoch == 3 and float(load_ckpt(tmp_path / "runs" / "learning_rate=0.1" / "ckpt.npy")["learning_rate"]) == 0.1
    fresh = Trainer(EasyDict(dict(_C, total_epochs=3, show=False, animation_path="", seed=4, resume=False)))
    assert fresh.cfg.ckpt_path == os.path.join("runs", "seed=4", "ckpt.npy")   # resume False: not over the first run
    assert (tmp_path / "ckpt.npy").read_bytes() == before
