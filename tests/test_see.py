"""See forward and backward propagation (issue 9): --explain, hidden.png, gradients.png, training.gif."""

import math
import re

import numpy as np
import pytest
from PIL import Image
from seed_reference import SeedDataLoader, SeedDataset, seed_net_like
from test_demo import config

from code.lib.Module.Linear import Linear
from code.run.snapshots import log_grid as snapshot_grid
from code.scripts.trainer import Trainer
from code.see.animation import frame_epochs


def printed_arrays(stdout: str) -> dict:
    """{'a[1]': array, ...} from --explain's output (each name line, then its values)."""
    arrays, lines = {}, stdout.splitlines()
    for k, line in enumerate(lines):
        found = re.match(r"^  (\S+(?: after| before)?)(?: = .*)?    shape \(([\d, ]*)\)$", line)
        if found:
            shape = tuple(int(v) for v in found[2].replace(" ", "").split(",") if v)
            rows = []
            for value_line in lines[k + 1:k + 1 + shape[0]]:
                rows.append([float(v) for v in value_line.replace("[", " ").replace("]", " ").split()])
            arrays[found[1]] = np.array(rows)
    return arrays


def test_explain_prints_a_step_equal_to_a_hand_computation(run_demo, tmp_path):
    result = run_demo("--explain", "--no-resume", "--layers-dim", 1, 2, 1)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2].startswith("gradient check: max relative error ")
    assert float(result.stdout.split("max relative error ")[1].split()[0]) < 1e-6
    assert [p.name for p in tmp_path.iterdir()] == ["step.png"]             # the step graph, nothing else
    rng = np.random.RandomState(0)                                         # the article's init, by hand
    w0, w1 = rng.random((2, 1))[:, 0].tolist(), rng.random((1, 2))[0].tolist()
    xs = [0.0, 0.01, 0.02]
    ys = [20 * math.sin(2 * math.pi * x) for x in xs]
    a1 = [[1 / (1 + math.exp(-w * x)) for x in xs] for w in w0]
    out = [w1[0] * a1[0][n] + w1[1] * a1[1][n] for n in range(3)]
    dz1 = [out[n] - ys[n] for n in range(3)]
    dw1 = [sum(dz1[n] * a1[j][n] for n in range(3)) / 3 for j in range(2)]
    dz0 = [[w1[j] * dz1[n] * a1[j][n] * (1 - a1[j][n]) for n in range(3)] for j in range(2)]
    dw0 = [sum(dz0[j][n] * xs[n] for n in range(3)) / 3 for j in range(2)]
    db0 = [sum(dz0[j]) / 3 for j in range(2)]
    shown = printed_arrays(result.stdout)
    expected = {"a[1]": a1, "z[2]": [out], "dz1": [dz1], "dw1": [dw1], "db1": [[sum(dz1) / 3]], "dz0": dz0,
                "dw0": [[v] for v in dw0], "db0": [[v] for v in db0],
                "W0 after": [[w0[j] - 0.03 * dw0[j]] for j in range(2)],
                "W1 after": [[w1[j] - 0.03 * dw1[j] for j in range(2)]]}
    for name, value in expected.items():
        np.testing.assert_allclose(shown[name], value, atol=2e-6, err_msg=name)   # printed to 6 decimals
    assert "||dW0|| = " in result.stdout and "||dW1|| = " in result.stdout


def test_explain_on_a_large_net_summarises_big_arrays(run_demo):
    result = run_demo("--explain", "--no-resume", "--layers-dim", 1, 30, 10, 1, "--explain-samples", 20)
    assert result.returncode == 0, result.stderr
    assert "norm " in result.stdout and "first entries" in result.stdout


@pytest.mark.parametrize("flag", ["--explain", "--check-gradients"])
def test_a_deliberately_wrong_gradient_exits_1(run_main, monkeypatch, flag):
    right = Linear.backward

    def wrong(self, dz, input, input_grad=True):                         # dw 1 % too large
        d_input, dw, db = right(self, dz, input, input_grad)
        return d_input, dw * 1.01, db

    monkeypatch.setattr(Linear, "backward", wrong)
    result = run_main(flag, "--no-resume")
    assert result.returncode == 1, result.stdout + result.stderr
    monkeypatch.setattr(Linear, "backward", right)
    assert run_main(flag, "--no-resume").returncode == 0                  # the right gradient passes


def test_every_figure_is_real_and_the_gif_has_its_frames(run_demo, tmp_path):
    result = run_demo("--total-epochs", 300, "--animation-frames", 12, animation=True, figures=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "./hidden.png, ./net.png, ./gradients.png, ./training.gif" in result.stdout
    for name in ("hidden.png", "gradients.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(tmp_path / "training.gif") as gif:
        assert gif.format == "GIF" and gif.n_frames == 12
    assert (tmp_path / "training.gif").stat().st_size < 3_000_000


def test_snapshot_grid_and_frames_are_log_spaced_and_the_same_for_every_run():
    grid = snapshot_grid(40000)
    assert grid[:12] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13] and grid == sorted(set(grid))
    assert snapshot_grid(300) == [e for e in grid if e <= 300]             # whatever the run's total
    assert 80 <= len(grid) <= 100                                          # 20 per decade: 4.6 decades
    frames = frame_epochs(grid, 39)
    assert len(frames) == 39 and frames[0] == 1 and frames[-1] == grid[-1] and frames[19] < 500
    assert frame_epochs([1, 2, 3], 39) == [1, 2, 3]


def test_animation_off_and_frames_survive_resume(run_demo, tmp_path):
    assert run_demo("--total-epochs", 50, "--animation-path", "").returncode == 0
    assert not (tmp_path / "training.gif").exists()
    assert run_demo("--total-epochs", 30, "--ckpt-path", "r.npy", "--animation-frames", 10,
                    animation=True).returncode == 0
    result = run_demo("--total-epochs", 30, "--ckpt-path", "r.npy", "--animation-frames", 10, animation=True)
    assert "animation:" not in result.stdout                                # every frame came back
    with Image.open(tmp_path / "r.training.gif") as gif:                    # named after its checkpoint
        assert gif.n_frames == 10


def test_gradient_norms_and_saturation_cover_every_batch_of_the_epoch(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=6))
    seed_net = seed_net_like([la.weight.copy() for la in trainer.net.linear_list],
                             [la.bias.copy() for la in trainer.net.linear_list])
    trainer.train()
    norms, saturation = [], []
    loader = SeedDataLoader(SeedDataset(), 90)
    for _ in range(6):                                                     # the article's program, by its own code
        sums, flat = [0, 0], []
        for batch in loader:
            caches, output = seed_net.forward(batch["x"])
            grads = seed_net.backward(caches, output, batch["y"])
            m = batch["x"].shape[1]
            sums = [sums[0] + m * grads["dw0"], sums[1] + m * grads["dw1"]]   # the epoch's gradient, times N
            a = 1 / (1 + np.exp(-caches["z"][1]))
            flat.append((a < 0.01) | (a > 0.99))
            seed_net.update_grads(grads, 0.03)
        norms.append([np.linalg.norm(sums[0] / 200), np.linalg.norm(sums[1] / 200)])
        saturation.append(np.mean(np.concatenate(flat, axis=1)))           # all 200 points, not the last 20
    recorded = np.array([trainer.history.values["grad_norm_0"], trainer.history.values["grad_norm_1"]]).T
    np.testing.assert_allclose(recorded, norms, rtol=1e-12)
    np.testing.assert_allclose(trainer.history.values["saturated_1"], saturation, rtol=1e-15)


def test_gradients_are_measured_every_epoch_to_100_then_every_100th(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=250))
    trainer.train()
    norms = np.array(trainer.history.values["grad_norm_0"])
    measured = np.flatnonzero(np.isfinite(norms)) + 1                      # epochs, from 1
    assert measured.tolist() == [*range(1, 101), 200]
    assert np.isfinite(trainer.history.values["loss"]).all()               # the loss: every epoch



def test_drawing_the_figures_leaves_np_random_alone(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=30, progress_epochs=[10, 20], animation_path=str(tmp_path / "t.gif"),
                             animation_frames=5))
    trainer.train()
    np.random.seed(7)
    expected = np.random.random(3)
    np.random.seed(7)
    trainer.test()                                                 # progress fits and frames use scratch nets
    assert np.array_equal(np.random.random(3), expected)


@pytest.mark.parametrize("flags,title", [((), "the article's gradient descent, learning rate lr = 0.03"),
                                         (("--optimizer", "adam"), "Adam, lr = 0.03, betas = (0.9, 0.999)"),
                                         (("--momentum", "0.9"), "SGD with momentum mu = 0.9, lr = 0.03")])
def test_explain_shows_the_configured_optimizers_step(run_main, tmp_path, flags, title):
    result = run_main("--explain", "--no-resume", "--layers-dim", 1, 2, 1, *flags)
    assert result.returncode == 0 and f"update ({title}" in result.stdout
    trainer = Trainer(config(tmp_path, layers_dim=[1, 2, 1]))
    x, y = trainer.x[:, :3], trainer.y[:, :3]
    g = trainer.net.backward(*trainer.net.forward(x), y)["dw1"]                  # (1, 2)
    w = trainer.net.linear_list[1].weight
    step = g / (np.abs(g) + 1e-8) if "adam" in flags else g                       # Adam's first step: m_hat / sqrt(v_hat)
    after = result.stdout.split("W1 after", 1)[1].splitlines()[1]                 # momentum's first step: b = g
    np.testing.assert_allclose([float(v) for v in after.strip(" []").split()], (w - 0.03 * step)[0], atol=1e-6)


def test_zero_epochs_and_nothing_left_to_train_end_cleanly(run_demo, tmp_path):
    result = run_demo("--total-epochs", 0, animation=True)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "animation: skipped" in result.stdout
    assert run_demo("--total-epochs", 5, animation=True).returncode == 0
    again = run_demo("--total-epochs", 5, animation=True)                         # resumed, nothing to train
    assert again.returncode == 0 and "nothing to train" in again.stdout and again.stderr == ""
