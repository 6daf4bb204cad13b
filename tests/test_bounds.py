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
    assert line.count("\n") == 1 and "\x1b" not in line and line.startswith("error: data_path 'd\\xff\\n\\x1b[2J.csv'")


def limited_run(folder, limit_bytes: int, *flags) -> subprocess.CompletedProcess:
    """``python demo.py FLAGS`` in a process whose address space is at most ``limit_bytes``."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    none = [arg for key in FIGURES for arg in (f"--{key.replace('_', '-')}", "")]
    return subprocess.run([sys.executable, DEMO, "--animation-path", "", *none, *map(str, flags)], cwd=folder,
                          env=headless_env(), capture_output=True, text=True, check=False, timeout=120,
                          preexec_fn=limit)


def test_a_batch_beyond_its_activation_budget_is_refused_within_a_bounded_address_space(tmp_path):
    flags = ["--loss", "cross_entropy", "--dataset", "spiral", "--layers-dim", 2, 10000, 3,
             "--n-points", 100_000, "--batch-size", 100_000]                 # z alone: 100,000 x 10,005 x 8 = 8 GB
    result = limited_run(tmp_path, 2 << 30, *flags)
    assert_one_line_error(result, "batch_size 100000 with layers_dim [2, 10000, 3]: one batch of 100,000 points",
                          "1,000,500,000 activations", "budget of 33,554,432", "batch_size up to 3,353")
    within = [*flags[:-4], "--n-points", 3353, "--batch-size", 3353, "--total-epochs", 1]   # the largest batch
    assert limited_run(tmp_path, 2 << 30, *within).returncode == 0


def test_evaluation_runs_in_chunks_that_give_the_whole_forward(monkeypatch):
    import numpy as np

    from code.lib import chunks
    from code.scripts.network import network
    net = network([2, 7, 3], "tanh", rng=np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(2, 1001))
    whole = net.forward(x)[1]
    calls = []
    monkeypatch.setattr(chunks, "CHUNK_VALUES", 12 * 100)                    # 100 points a chunk
    monkeypatch.setattr(net, "forward", lambda part, forward=net.forward: calls.append(part.shape[1]) or forward(part))
    assert np.allclose(chunks.predict(net, x), whole, rtol=1e-14, atol=0)
    assert calls == [100] * 10 + [1]


@pytest.mark.parametrize("flags,fragments", [
    (["--layers-dim", 1, 3000, 3000, 1, "--animation-path", "a.gif"], ["layers_dim [1, 3000, 3000, 1] with total_epochs 40000: 84 snapshots "
                                          "(80 more for animation_path) of 9,012,001 parameters are 757,008,084 values",
                                          "beyond the budget of 33,554,432"]),
    (["--progress-epochs", *range(1, 2501)], ["progress_epochs must be a list of at most 100 positive integers",
                                              "[1, 2, 3, 4, 5, ...] (2,500 values)"]),
    (["--progress-epochs", 2**60], ["progress_epochs must be", "up to 2**53"]),
])
def test_snapshots_beyond_their_budget_are_refused(run_main, tmp_path, flags, fragments):
    assert_one_line_error(run_main(*flags), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_snapshots_up_to_the_budget_are_accepted():
    from easydict import EasyDict

    from code.config.validate import SNAPSHOT_VALUES, ConfigError, check_snapshots
    cfg = EasyDict(layers_dim=[1, 1000, 1000, 1], total_epochs=40, progress_epochs=list(range(1, 34)), animation_path="")
    check_snapshots(cfg, 1_003_001)                                        # 33 x 1,003,001 = 33,099,033: within
    assert 33 * 1_003_001 <= SNAPSHOT_VALUES < 34 * 1_003_001
    cfg.progress_epochs.append(34)
    with pytest.raises(ConfigError, match="34 snapshots"):
        check_snapshots(cfg, 1_003_001)
    cfg.total_epochs = 33                                                  # epoch 34 is never reached
    check_snapshots(cfg, 1_003_001)


def test_compare_takes_at_most_twenty_values(run_main, tmp_path):
    spec = "learning_rate=" + ",".join(str(0.001 * i) for i in range(1, 51))
    assert_one_line_error(run_main("--compare", spec), "--compare learning_rate: 50 values; compare at most 20 at a time")
    assert list(tmp_path.iterdir()) == []


def test_compare_beyond_its_budget_is_refused_within_a_bounded_address_space(tmp_path):
    big = "-".join(["1"] + ["7000"] * 2 + ["1"])                            # 49,035,001 parameters, within the net's limit
    spec = "layers_dim=" + ",".join([big] * 8)                                 # built up front: 8 x 3 x 392 MB
    result = limited_run(tmp_path, 2 << 30, "--compare", spec, "--progress-epochs")   # no snapshots
    assert_one_line_error(result, "--compare layers_dim: 8 runs would keep about",
                          "beyond the budget of 134,217,728; compare fewer values")
    assert list(tmp_path.iterdir()) == []


def test_compare_runs_one_after_another(run_main, tmp_path, monkeypatch):
    from code.experiments import compare
    built = []
    monkeypatch.setattr(compare, "Trainer", lambda run, made=compare.Trainer: built.append(run.learning_rate) or made(run))
    assert run_main("--compare", "learning_rate=0.01,0.03,0.1", "--total-epochs", 3).returncode == 0
    assert built == [0.01, 0.03, 0.1] * 2                                   # checked one at a time, then each trained


def test_a_pickle_whose_memo_shares_one_buffer_is_refused_within_a_bounded_address_space(tmp_path):
    import numpy as np
    from test_unpickle import Recipe, npy_of, wrapper
    data = b"\0" * (8 << 20)                                                  # one 8 MB buffer, in the file once
    arrays = [Recipe((1, (1 << 20,), np.dtype("f8"), False, data)) for _ in range(200)]   # 1.6 GB of copies
    (tmp_path / "memo.npy").write_bytes(npy_of(wrapper({"linear_list": arrays})))
    assert (tmp_path / "memo.npy").stat().st_size < 9 << 20
    result = limited_run(tmp_path, 1 << 30, "--import-original", "memo.npy")
    assert_one_line_error(result, "cannot import memo.npy", "its arrays hold more than", "bytes, the size of the file "
                          "itself: one buffer referenced by many arrays")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memo.npy"]


def test_test_and_the_decision_map_forward_in_chunks_within_a_bounded_address_space(tmp_path):
    result = limited_run(tmp_path, 1 << 30, "--loss", "cross_entropy", "--dataset", "spiral", "--layers-dim", 2, 400, 3,
                         "--n-points", 400_000, "--total-epochs", 0, "--result-img-path", "map.png")
    assert result.returncode == 0, result.stderr                           # at once: z of 400 x 400,000 = 1.3 GB
    assert "test: accuracy" in result.stdout and "on 400000 points" in result.stdout
    assert (tmp_path / "map.png").stat().st_size > 0


@pytest.mark.parametrize("word", [b"ckpt.npy", b"my runs/c.npy", b"caf\xe9.npy", b"a\nb\x1b[31m", b"it's \\ 'x'"])
def test_a_printed_command_gives_the_shell_the_same_bytes(word):
    import shutil

    from code.run.names import shell_word
    printed = shell_word(os.fsdecode(word))
    assert printed.isprintable() and printed.isascii()
    if shutil.which("bash"):
        assert subprocess.run(["bash", "-c", f"printf %s {printed}"], capture_output=True, check=True).stdout == word
