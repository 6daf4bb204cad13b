"""Optimizers with PyTorch's formulas, shuffled batches, side-by-side runs (issue 11)."""

import math
import os

import numpy as np
import pytest
from conftest import load_ckpt
from test_demo import config
from test_faults import assert_one_line_error

from code.lib.Optim import SGD, Adam
from code.scripts.Dataset import Dataset
from code.scripts.network import network
from code.scripts.trainer import Trainer

try:
    import torch
except ImportError:
    torch = None


def one_param_steps(optimizer_class, grads, **options) -> list:
    p = np.array([[1.0]])
    optimizer = optimizer_class({"w0": p}, **options)
    values = []
    for g in grads:
        optimizer.step({"dw0": np.array([[g]])})
        values.append(float(p[0, 0]))
    return values


def test_sgd_momentum_two_steps_by_hand():
    # b = 2, p = 1 - 0.1 * 2 = 0.8; then b = 0.9 * 2 + 4 = 5.8, p = 0.8 - 0.1 * 5.8 = 0.22
    assert one_param_steps(SGD, [2.0, 4.0], lr=0.1, momentum=0.9) == pytest.approx([0.8, 0.22], abs=1e-15)


def test_adam_two_steps_by_hand():
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    p, m, v, expected = 1.0, 0.0, 0.0, []
    for t, g in enumerate([2.0, 4.0], start=1):                # the documented rule, in plain Python floats
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        p -= lr * (m / (1 - beta1 ** t)) / (math.sqrt(v / (1 - beta2 ** t)) + eps)
        expected.append(p)
    assert expected[0] == pytest.approx(0.9, abs=1e-8)        # step 1: m_hat = g, v_hat = g^2: a step of lr
    assert one_param_steps(Adam, [2.0, 4.0], lr=lr) == pytest.approx(expected, rel=1e-15)


def test_sgd_without_momentum_is_the_articles_update_bit_for_bit():
    a, b = network([1, 25, 1], rng=np.random.RandomState(0)), network([1, 25, 1], rng=np.random.RandomState(0))
    optimizer = SGD(b.parameters(), 0.03)
    data = Dataset()
    for _ in range(50):
        for net, update in ((a, lambda g: a.update_grads(g, 0.03)), (b, optimizer.step)):
            update(net.backward(*net.forward(data.x[:, :90]), data.y[:, :90]))
    for name, param in a.parameters().items():
        np.testing.assert_array_equal(param, b.parameters()[name])


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed (optional)")
@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_100_steps_equal_torch_optim(name):
    net = network([1, 25, 1], rng=np.random.RandomState(1))
    layers = []
    for i, linear in enumerate(net.linear_list):
        layer = torch.nn.Linear(linear.in_features, linear.out_features).double()
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(linear.weight))
            layer.bias.copy_(torch.from_numpy(linear.bias[:, 0]))
        layers += [layer] if i == len(net.linear_list) - 1 else [layer, torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    options = {"sgd": (SGD, torch.optim.SGD, {"lr": 0.03}), "momentum": (SGD, torch.optim.SGD, {"lr": 0.03, "momentum": 0.9}),
               "adam": (Adam, torch.optim.Adam, {"lr": 0.01})}[name]
    ours, theirs = options[0](net.parameters(), **options[2]), options[1](model.parameters(), **options[2])
    data = Dataset()
    batches = [(data.x[:, i:i + 90], data.y[:, i:i + 90]) for i in range(0, 200, 90)]
    for step in range(100):
        x, y = batches[step % 3]
        ours.step(net.backward(*net.forward(x), y))
        theirs.zero_grad()
        loss = 0.5 * ((model(torch.from_numpy(x.T.copy())) - torch.from_numpy(y.T.copy())) ** 2).mean()
        loss.backward()
        theirs.step()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for linear, layer in zip(net.linear_list, linears):
        np.testing.assert_allclose(linear.weight, layer.weight.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(linear.bias[:, 0], layer.bias.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("options", [{"momentum": 0.9}, {"optimizer": "adam", "learning_rate": 0.01},
                                     {"shuffle": True}, {"optimizer": "adam", "shuffle": True, "batch_size": 30}])
def test_resume_is_byte_identical_for_every_optimizer(tmp_path, options):
    first = config(tmp_path, total_epochs=20, progress_epochs=[5], **options)
    Trainer(first).train()
    Trainer(config(tmp_path, total_epochs=45, resume=True, progress_epochs=[5], **options)).train()
    resumed = (tmp_path / "ckpt.npy").read_bytes(), (tmp_path / "metrics.csv").read_bytes()
    os.remove(tmp_path / "ckpt.npy")
    Trainer(config(tmp_path, total_epochs=45, progress_epochs=[5], **options)).train()
    assert resumed == ((tmp_path / "ckpt.npy").read_bytes(), (tmp_path / "metrics.csv").read_bytes())
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    if options.get("optimizer") == "adam":
        assert int(ckpt["optim_step"]) == int(ckpt["iteration"]) and "optim_exp_avg_sq_w0" in ckpt.dtype.names
    elif "momentum" in options:
        assert "optim_momentum_buffer_b1" in ckpt.dtype.names


def test_shuffle_changes_the_order_and_is_seeded_by_epoch(tmp_path):
    plain = Trainer(config(tmp_path / "plain", total_epochs=3))
    plain.train()
    shuffled = Trainer(config(tmp_path / "shuffled", total_epochs=3, shuffle=True))
    shuffled.train()
    again = Trainer(config(tmp_path / "again", total_epochs=3, shuffle=True))
    again.train()
    assert not np.array_equal(plain.net.linear_list[0].weight, shuffled.net.linear_list[0].weight)
    np.testing.assert_array_equal(shuffled.net.linear_list[0].weight, again.net.linear_list[0].weight)


def test_compare_runs_side_by_side_without_touching_the_checkpoint(run_demo, tmp_path):
    assert run_demo("--total-epochs", 3).returncode == 0
    before = (tmp_path / "ckpt.npy").read_bytes(), (tmp_path / "metrics.csv").read_bytes()
    result = run_demo("--compare", "learning_rate=0.01,0.03,50", "--total-epochs", 60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[2:5]]
    assert [row[0] for row in rows] == ["0.01", "0.03", "50.0"]
    assert float(rows[1][1]) < float(rows[0][1])                 # a larger step learns faster here
    assert "diverged at epoch" in result.stdout.splitlines()[4]
    assert result.stdout.splitlines()[1].split() == ["learning_rate", "MSE", "on", "all", "points", "last", "epoch",
                                                     "(the", "curve)", "seconds"]
    assert float(rows[1][2]) < float(rows[0][2])
    assert (tmp_path / "compare.png").read_bytes()[:4] == b"\x89PNG"
    assert before == ((tmp_path / "ckpt.npy").read_bytes(), (tmp_path / "metrics.csv").read_bytes())
    assert not [p for p in os.listdir("/tmp") if p.startswith("hjlnet-compare-")]


def test_the_compare_table_and_its_curves_show_the_same_quantity(tmp_path, capsys):
    from code.experiments.compare import compare
    from code.see import figures
    rows = compare(config(tmp_path, total_epochs=40, compare_img_path=str(tmp_path / "c.png")),
                   "learning_rate=0.01,0.03")
    table = capsys.readouterr().out.splitlines()[2:4]
    curves = figures.plot_compare("learning_rate", rows).axes[0].get_lines()
    for line, (label, trainer, mse), printed in zip(curves, rows, table):
        assert float(printed.split()[1]) == pytest.approx(mse, rel=1e-5)            # the MSE on all points
        assert float(printed.split()[2]) == pytest.approx(line.get_ydata()[-1], rel=1e-5)   # where the curve ends
        assert line.get_ydata()[-1] == trainer.history.values["loss"][-1]


def test_compare_starts_every_run_from_the_same_weights(tmp_path):
    from code.experiments.compare import run_configs
    trainers = [Trainer(run) for run in run_configs(config(tmp_path), "activation", ["sigmoid", "tanh"], str(tmp_path))]
    np.testing.assert_array_equal(trainers[0].net.linear_list[0].weight, trainers[1].net.linear_list[0].weight)


@pytest.mark.parametrize("spec,fragment", [("lr=1,2", "'lr=1,2'"), ("learning_rate=0.1", "at least two"),
                                           ("batch_size=10,ten", "'ten'"), ("learning_rate=0.1,-1", "learning_rate"),
                                           ("ckpt_path=a,b", "ckpt_path"), ("layers_dim=1-5-1,2-5-1", "[2, 5, 1]"),
                                           ("optimizer=sgd,rmsprop", "rmsprop")])
def test_bad_compare_is_one_line_before_training(run_main, run_demo, tmp_path, spec, fragment):
    run = run_demo if spec == "lr=1,2" else run_main                         # one on a real command line
    assert_one_line_error(run("--compare", spec), fragment)
    assert list(tmp_path.iterdir()) == []
