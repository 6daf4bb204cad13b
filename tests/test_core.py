"""The model half: layers, activations, data, network, gradient check (issue 2)."""

import contextlib
import io
import math
import os
import shutil
import subprocess
import sys

import benchmark
import numpy as np
import pytest
from seed_reference import SeedDataLoader, SeedDataset, seed_net_like, seed_train
from test_demo import config

from code.lib.Activation import ACTIVATIONS, get_activation
from code.lib.Activation.ReLU import relu, relu_derivative
from code.lib.Activation.Sigmoid import Sigmoid, sigmoid, sigmoid_derivative
from code.lib.Activation.Tanh import tanh, tanh_derivative
from code.lib.Data.DataLoader import DataLoader
from code.lib.gradcheck import gradient_check, relative_error
from code.lib.Module.Linear import Linear, init_weight
from code.scripts.Dataset import Dataset
from code.scripts.network import network
from code.scripts.trainer import Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- Linear ---------------------------------------------------------------------------------
def test_linear_shapes_and_seed_init():
    layer = Linear(3, 5, bias=True, rng=np.random.RandomState(7))
    assert layer.weight.shape == (5, 3) and layer.bias.shape == (5, 1)
    np.random.seed(7)                                   # the article's np.random.random
    np.testing.assert_array_equal(layer.weight, np.random.random((5, 3)))
    assert np.all(layer.bias == 0)
    assert layer.forward(np.ones((3, 4))).shape == (5, 4)


def test_linear_without_bias_forward():
    layer = Linear(2, 1, bias=False)
    assert layer.bias is None
    layer.weight[...] = [[2.0, -1.0]]
    np.testing.assert_array_equal(layer.forward(np.array([[1.0, 3.0], [4.0, 0.5]])), [[-2.0, 5.5]])


def test_linear_backward_by_hand():
    layer = Linear(2, 2, bias=True)
    layer.weight[...] = [[1.0, 2.0], [3.0, -1.0]]
    x = np.array([[1.0, 2.0], [0.0, -1.0]])            # two samples as columns
    dz = np.array([[1.0, -1.0], [2.0, 0.5]])
    d_input, dw, db = layer.backward(dz, x)
    # dw = dz x^T / 2 = [[1*1 + -1*2, 1*0 + -1*-1], [2*1 + .5*2, 2*0 + .5*-1]] / 2
    np.testing.assert_array_equal(dw, [[-0.5, 0.5], [1.5, -0.25]])
    np.testing.assert_array_equal(db, [[0.0], [1.25]])      # row sums / 2
    np.testing.assert_array_equal(d_input, [[7.0, 0.5], [0.0, -2.5]])   # W^T dz
    assert layer.backward(dz, x, input_grad=False)[0] is None
    assert Linear(2, 2, bias=False).backward(dz, x)[2] is None


def test_linear_backward_matches_finite_differences():
    rng = np.random.default_rng(5)
    layer = Linear(3, 4, bias=True, rng=rng)
    layer.bias[...] = rng.normal(size=(4, 1))
    x, target = rng.normal(size=(3, 6)), rng.normal(size=(4, 6))

    def loss():                                        # J = (1 / 2m) sum((z - target)^2): dz = z - target
        return np.sum((layer.forward(x) - target) ** 2) / 12

    def numeric(values: np.ndarray) -> np.ndarray:            # dJ/dvalues by central differences, in place
        grad = np.zeros_like(values)
        for index in np.ndindex(values.shape):
            saved = values[index]
            values[index] = saved + 1e-6
            plus = loss()
            values[index] = saved - 1e-6
            minus = loss()
            values[index] = saved
            grad[index] = (plus - minus) / 2e-6
        return grad

    d_input, dw, db = layer.backward(layer.forward(x) - target, x)
    np.testing.assert_allclose(dw, numeric(layer.weight), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(db, numeric(layer.bias), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(d_input / 6, numeric(x), rtol=1e-6, atol=1e-9)   # d_input is m * dJ/dinput


def test_xavier_init_range_and_unknown_init():
    w = init_weight(300, 200, "xavier", np.random.default_rng(0))
    r = math.sqrt(6 / 500)
    assert w.shape == (300, 200) and w.min() >= -r and w.max() < r and w.min() < -0.9 * r
    with pytest.raises(ValueError, match="uniform, xavier"):
        init_weight(2, 2, "zeros")


def test_same_seed_same_weights():
    a = network([1, 25, 1], rng=np.random.RandomState(5))
    b = network([1, 25, 1], rng=np.random.RandomState(5))
    for la, lb in zip(a.linear_list, b.linear_list):
        np.testing.assert_array_equal(la.weight, lb.weight)


# ---- activations ------------------------------------------------------------------------------
def test_sigmoid_values_and_derivative_by_hand():
    x = np.array([[0.0, math.log(3)]])
    np.testing.assert_allclose(sigmoid(x), [[0.5, 0.75]], rtol=1e-15)
    np.testing.assert_allclose(sigmoid_derivative(x), [[0.25, 0.1875]], rtol=1e-15)


def test_sigmoid_module_backward_is_the_article_derivative_bit_for_bit():
    x = np.random.default_rng(1).normal(scale=5, size=(25, 90))
    da = np.random.default_rng(2).normal(size=(25, 90))
    np.testing.assert_array_equal(sigmoid(x), 1 / (1 + np.exp(-x)))           # the formula, same bits
    np.testing.assert_array_equal(Sigmoid().backward(da, sigmoid(x)), da * sigmoid_derivative(x))


@pytest.mark.parametrize("name,derivative", [("sigmoid", sigmoid_derivative), ("tanh", tanh_derivative),
                                             ("relu", relu_derivative)])
def test_each_activation_derivative_matches_finite_differences(name, derivative):
    module = get_activation(name)
    x = np.random.default_rng(2).normal(size=(4, 50))
    x = x[np.abs(x) > 1e-3].reshape(1, -1)            # stay off relu's kink
    h = 1e-6
    numeric = (module.forward(x + h) - module.forward(x - h)) / (2 * h)
    np.testing.assert_allclose(derivative(x), numeric, rtol=1e-7, atol=1e-9)
    da = np.random.default_rng(3).normal(size=x.shape)
    np.testing.assert_allclose(module.backward(da, module.forward(x)), da * derivative(x), rtol=1e-12, atol=1e-15)


def test_saturated_units_by_hand():
    a = np.array([[0.005, 0.5, 0.995]])
    np.testing.assert_array_equal(get_activation("sigmoid").saturated(a), [[True, False, True]])
    np.testing.assert_array_equal(get_activation("tanh").saturated(np.array([-0.999, 0.2, 0.995])),
                                  [True, False, True])
    np.testing.assert_array_equal(get_activation("relu").saturated(np.array([0.0, 0.1])), [True, False])


def test_tanh_and_relu_values():
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(tanh(np.array([math.atanh(0.5)])), [0.5], rtol=1e-15)


def test_unknown_activation_lists_choices():
    with pytest.raises(ValueError, match="sigmoid, tanh, relu"):
        network([1, 3, 1], activation="softplus")


# ---- network: by hand, gradient check ---------------------------------------------------------------
def hand_net():
    """[1, 2, 1] with W0 = [[1], [-1]], b0 = 0, W1 = [[2, 4]], b1 = [[1]]."""
    net = network([1, 2, 1])
    net.linear_list[0].weight[...] = [[1.0], [-1.0]]
    net.linear_list[1].weight[...] = [[2.0, 4.0]]
    net.linear_list[1].bias[...] = [[1.0]]
    return net


def test_forward_by_hand_on_two_samples():
    caches, output = hand_net().forward(np.array([[0.0, math.log(3)]]))
    # z1 = [[0, ln3], [0, -ln3]] -> a1 = [[1/2, 3/4], [1/2, 1/4]]
    np.testing.assert_allclose(caches["a"][1], [[0.5, 0.75], [0.5, 0.25]], rtol=1e-15)
    # out = 2 a1[0] + 4 a1[1] + 1 = [[4, 3.5]]
    np.testing.assert_allclose(output, [[4.0, 3.5]], rtol=1e-15)
    assert len(caches["z"]) == len(caches["a"]) == 3 and caches["z"][0] is caches["a"][0]


def test_backward_by_hand_on_two_samples():
    net = hand_net()
    x, y = np.array([[0.0, math.log(3)]]), np.array([[4.0, 2.5]])
    grads = net.backward(*net.forward(x), y)
    np.testing.assert_allclose(grads["dz1"], [[0.0, 1.0]], atol=1e-15)
    np.testing.assert_allclose(grads["dw1"], [[0.375, 0.125]], rtol=1e-15)
    np.testing.assert_allclose(grads["db1"], [[0.5]], rtol=1e-15)
    # dz0 = W1^T dz1 * a1 (1 - a1): column 1 -> [2 * 3/16, 4 * 3/16]
    np.testing.assert_allclose(grads["dz0"], [[0.0, 0.375], [0.0, 0.75]], atol=1e-15)
    np.testing.assert_allclose(grads["dw0"], [[0.1875 * math.log(3)], [0.375 * math.log(3)]], rtol=1e-14)
    np.testing.assert_allclose(grads["db0"], [[0.1875], [0.375]], rtol=1e-15)


def test_update_grads_changes_the_live_weights():
    net = hand_net()
    weight = net.linear_list[1].weight
    grads = {"dw0": np.ones((2, 1)), "db0": np.ones((2, 1)), "dw1": np.array([[1.0, -1.0]]),
             "db1": np.array([[2.0]])}
    net.update_grads(grads, 0.5)
    assert net.linear_list[1].weight is weight
    np.testing.assert_array_equal(weight, [[1.5, 4.5]])
    np.testing.assert_array_equal(net.linear_list[1].bias, [[0.0]])
    np.testing.assert_array_equal(net.linear_list[0].weight, [[0.5], [-1.5]])


def test_gradients_recorded_over_steps_keep_their_values():
    net = network([1, 5, 1], rng=np.random.RandomState(0))
    x, y = Dataset().x[:, :10], Dataset().y[:, :10]
    recorded, copies = [], []
    for _ in range(3):
        grads = net.backward(*net.forward(x), y)
        recorded.append(grads)
        copies.append({name: g.copy() for name, g in grads.items()})
        net.update_grads(grads, 0.03)
    for grads, copy in zip(recorded, copies):
        for name in copy:
            np.testing.assert_array_equal(grads[name], copy[name])
    assert not np.array_equal(recorded[0]["dw0"], recorded[2]["dw0"])


def test_assigning_a_new_weight_array_still_trains_it():
    net = network([1, 4, 1], rng=np.random.RandomState(1))
    seed_net = seed_net_like([layer.weight for layer in net.linear_list], [layer.bias for layer in net.linear_list])
    new_weight = net.linear_list[0].weight.copy()
    net.linear_list[0].weight = new_weight              # the article's code allows this; so must we
    data = Dataset()
    for _ in range(20):
        for batch in DataLoader(data, 90):
            caches, output = net.forward(batch["x"])
            net.update_grads(net.backward(caches, output, batch["y"]), 0.03)
    seed_train(seed_net, SeedDataLoader(SeedDataset(), 90), epochs=20)
    assert net.linear_list[0].weight is new_weight
    for layer, seed_layer in zip(net.linear_list, seed_net.linear_list):
        np.testing.assert_array_equal(layer.weight, seed_layer.weight)
        np.testing.assert_array_equal(layer.bias, seed_layer.bias)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("layers_dim", [[1, 25, 1], [3, 7, 4, 2], [2, 6, 5, 4, 3]])
def test_gradient_check(layers_dim, activation):
    rng = np.random.default_rng(len(layers_dim))
    net = network(layers_dim, activation=activation, init="xavier", rng=rng)
    for layer in net.linear_list:                     # non-zero biases: no unit sits on relu's kink at 0
        layer.bias[...] = rng.normal(scale=0.5, size=layer.bias.shape)
    x, y = rng.normal(size=(layers_dim[0], 7)), rng.normal(size=(layers_dim[-1], 7))
    errors = gradient_check(net, x, y)
    assert sorted(errors) == sorted(net.parameters())
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_catches_a_wrong_gradient():
    net = network([2, 4, 1], rng=np.random.default_rng(0))
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2, 5)), rng.normal(size=(1, 5))
    right = net.backward

    def wrong(caches, output, y):
        grads = right(caches, output, y)
        grads["dw0"] = grads["dw0"] * 1.01
        return grads

    net.backward = wrong
    errors = gradient_check(net, x, y)
    assert errors["w0"] > 1e-3 and errors["b0"] < 1e-6


def test_network_without_bias_gradient_check():
    net = network([3, 5, 2], bias=False, rng=np.random.default_rng(3))
    assert all(layer.bias is None for layer in net.linear_list)
    rng = np.random.default_rng(4)
    errors = gradient_check(net, rng.normal(size=(3, 6)), rng.normal(size=(2, 6)))
    assert sorted(errors) == ["w0", "w1"] and max(errors.values()) < 1e-6


def test_multi_input_multi_output_shapes():
    net = network([3, 7, 4, 2])
    caches, output = net.forward(np.ones((3, 10)))
    assert output.shape == (2, 10)
    assert [z.shape for z in caches["z"]] == [(3, 10), (7, 10), (4, 10), (2, 10)]
    grads = net.backward(caches, output, np.zeros((2, 10)))
    assert [grads[f"dw{i}"].shape for i in range(3)] == [(7, 3), (4, 7), (2, 4)]
    assert [grads[f"db{i}"].shape for i in range(3)] == [(7, 1), (4, 1), (2, 1)]


# ---- the article's numbers, bit for bit ----------------------------------------------------------
@pytest.mark.parametrize("layers_dim", [[1, 25, 1], [1, 30, 10, 1]])
def test_trajectory_matches_the_article_formulas_bit_for_bit(layers_dim):
    net = network(layers_dim, rng=np.random.RandomState(3))
    seed_net = seed_net_like([layer.weight for layer in net.linear_list], [layer.bias for layer in net.linear_list])
    seed_losses = seed_train(seed_net, SeedDataLoader(SeedDataset(), 90), epochs=1000)
    data = Dataset()
    losses = []
    for _ in range(1000):
        for batch in DataLoader(data, 90):
            caches, output = net.forward(batch["x"])
            losses.append(np.mean((output - batch["y"]) ** 2))
            net.update_grads(net.backward(caches, output, batch["y"]), 0.03)
    for layer, seed_layer in zip(net.linear_list, seed_net.linear_list):
        np.testing.assert_array_equal(layer.weight, seed_layer.weight)  # exact: stronger than 1e-12
        np.testing.assert_array_equal(layer.bias, seed_layer.bias)
    np.testing.assert_array_equal(losses, seed_losses)
    assert seed_losses[-1] < seed_losses[0] / 2        # and it did learn


# ---- data ------------------------------------------------------------------------------------------------
def test_dataset_values():
    data = Dataset()
    assert len(data) == 200 and data.x.shape == data.y.shape == (1, 200)
    assert data[25]["x"] == pytest.approx(0.25) and data[25]["y"] == pytest.approx(20.0)
    assert data[75]["y"] == pytest.approx(-20.0) and data[0] == {"x": 0.0, "y": 0.0}
    assert data[199]["x"] == pytest.approx(1.99)


def test_dataset_keywords_and_large_size():
    data = Dataset(start=-1.0, stop=1.0, step=1e-4, amplitude=3.0)
    assert len(data) == 20000
    np.testing.assert_allclose(data.y, 3.0 * np.sin(2 * np.pi * data.x))
    big = Dataset(step=1e-5)                             # 200,000 points: linear time, no per-sample lists
    assert len(big) == 200000


def test_loader_batches_like_the_article():
    loader = DataLoader(Dataset(), 90)
    batches = list(loader)
    assert [b["x"].shape for b in batches] == [(1, 90), (1, 90), (1, 20)] and len(loader) == 3
    np.testing.assert_array_equal(np.concatenate([b["y"] for b in batches], axis=1), Dataset().y)


def test_loader_break_then_full_epoch():
    loader = DataLoader(Dataset(), 90)
    for batch in loader:
        break
    assert [b["x"].shape[1] for b in loader] == [90, 90, 20]
    assert loader.x[0, 0] == next(iter(loader))["x"][0, 0]


def test_loader_drop_last_and_len():
    loader = DataLoader(Dataset(), 90, drop_last=True)
    assert len(loader) == 2 and [b["x"].shape[1] for b in loader] == [90, 90]
    assert len(DataLoader(Dataset(), 100)) == 2 and len(DataLoader(Dataset(), 201)) == 1


def test_loader_shuffle_is_seeded_permutation():
    data = Dataset()
    a = DataLoader(data, 90, shuffle=True, rng=np.random.default_rng(9))
    b = DataLoader(data, 90, shuffle=True, rng=np.random.default_rng(9))
    epoch_a = np.concatenate([batch["x"] for batch in a], axis=1)
    np.testing.assert_array_equal(epoch_a, np.concatenate([batch["x"] for batch in b], axis=1))
    assert not np.array_equal(epoch_a, data.x)
    np.testing.assert_array_equal(np.sort(epoch_a), data.x)
    pairs = np.concatenate([np.concatenate([batch["x"], batch["y"]]) for batch in a], axis=1)
    np.testing.assert_allclose(pairs[1], 20 * np.sin(2 * np.pi * pairs[0]))   # x and y stay together


def test_loader_on_a_dataset_of_dicts_only():
    class Pairs:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": [i, -i], "y": 2.0 * i}

    batches = list(DataLoader(Pairs(), 2))
    assert [b["x"].shape for b in batches] == [(2, 2), (2, 2), (2, 1)]
    np.testing.assert_array_equal(batches[1]["x"], [[2, 3], [-2, -3]])
    np.testing.assert_array_equal(batches[2]["y"], [[8.0]])


# ---- Python 3.13: the package name `code` ----------------------------------------------------------
def interpreters():
    """This interpreter, and a Python 3.13 from pyenv when the machine has one."""
    found = [sys.executable]
    pyenv_root = os.path.expanduser(os.environ.get("PYENV_ROOT", "~/.pyenv"))
    versions = os.path.join(pyenv_root, "versions")
    if os.path.isdir(versions):
        found += [os.path.join(versions, v, "bin", "python") for v in sorted(os.listdir(versions))
                  if v.startswith("3.13")][:1]
    return [p for p in found if shutil.which(p) or os.path.exists(p)]


@pytest.mark.parametrize("python", interpreters())
def test_import_pdb_from_repo_root(python):
    script = f"import pdb, code; assert code.__file__.startswith({ROOT!r}); code.InteractiveConsole; pdb.Pdb"
    result = subprocess.run([python, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not os.path.isdir(benchmark.ORIGINAL),
                    reason="the published program is not at ../shared/original_program: set HJLNET_ORIGINAL "
                           "to the folder holding its main.py (a clone of github.com/nickhuang1996/HJLNet)")
def test_1000_epochs_of_the_published_program_end_with_this_projects_weights(tmp_path):
    original = benchmark.Contender("original", benchmark.ORIGINAL)     # its own process: its package is `code` too
    try:
        assert original.train(1000) > 0
        theirs = original.weights()
    finally:
        original.close()
    trainer = Trainer(config(tmp_path, total_epochs=1000))
    with contextlib.redirect_stdout(io.StringIO()):
        trainer.train()
    ours = [float(v) for layer in trainer.net.linear_list for v in layer.weight.ravel()]
    assert len(ours) == 50 and ours == theirs                             # ==, every bit


def test_relative_error_whole_array_and_entrywise_by_hand():
    analytic, numeric = np.array([3.0, 4.0]), np.array([3.1, 4.2])         # difference (0.1, 0.2)
    scale = 5.0 + np.sqrt(3.1**2 + 4.2**2)                                # ||a|| + ||n||
    assert relative_error(analytic, numeric) == pytest.approx(np.sqrt(0.1**2 + 0.2**2) / scale, rel=1e-12)
    assert relative_error(analytic, numeric, entrywise=True) == pytest.approx(0.2 / scale, rel=1e-12)


@pytest.mark.parametrize("python", interpreters()[:1])
def test_the_package_imports_after_the_standard_code_module_from_any_folder(python, tmp_path):
    # As in a Jupyter kernel or IPython: the standard library's `code` is imported first (pdb does it),
    # the repository is put on sys.path from elsewhere, and demo makes `code` this project's package.
    script = (f"import pdb, code, sys; assert not hasattr(code, '__path__'); sys.path.append({ROOT!r}); "
              "import demo; from code.config import new_config; from code.scripts.trainer import Trainer; "
              f"import code as ours; assert ours.__file__.startswith({ROOT!r}); "
              "assert new_config(total_epochs=3).total_epochs == 3; ours.InteractiveConsole; pdb.Pdb; "
              "import code.config.default_config as d; print(d._C.layers_dim)")
    result = subprocess.run([python, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "[1, 25, 1]", result.stderr
