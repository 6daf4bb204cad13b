"""--import-original: the original program's pickled checkpoint, read without running code (issue 13)."""

import builtins
import os
import pickle
import shlex
import subprocess
import sys
import types

import numpy as np
import pytest
from conftest import DEMO, headless_env, load_ckpt
from test_faults import assert_one_line_error

from code.run.import_original import OriginalFormatError, read_original


def original_linear_class():
    """A stand-in for the original's ``Linear``, in a module named like the original's file."""
    module = types.ModuleType("lib.Module.Linear")

    class Linear:
        def __init__(self, in_features, out_features):
            self.weight = np.random.random((out_features, in_features))
            self.bias = np.zeros((out_features, 1))

    Linear.__module__, Linear.__qualname__ = module.__name__, "Linear"
    module.Linear = Linear
    return module, Linear


def write_original_checkpoint(path, layers_dim, content=None):
    """The original program's save: np.save of a dict holding its Linear objects (a pickle inside)."""
    module, linear = original_linear_class()
    parents = {"lib": types.ModuleType("lib"), "lib.Module": types.ModuleType("lib.Module"), module.__name__: module}
    sys.modules.update(parents)
    try:
        rng = np.random.RandomState(11)
        layers = []
        for i in range(len(layers_dim) - 1):
            layer = linear(layers_dim[i], layers_dim[i + 1])
            layer.weight, layer.bias = rng.random(layer.weight.shape), rng.normal(size=layer.bias.shape)
            layers.append(layer)
        saved = {"layers_dim": list(layers_dim), "parameters": layers} if content is None else content(layers)
        np.save(path, saved, allow_pickle=True)
    finally:
        for name in parents:
            del sys.modules[name]
    return layers


def test_import_arrives_bit_for_bit_then_trains_on(run_demo, tmp_path):
    layers = write_original_checkpoint(tmp_path / "original.npy", [1, 25, 1])
    result = run_demo("--import-original", "original.npy")
    assert result.returncode == 0, result.stderr
    assert "layers_dim [1, 25, 1], sigmoid; MSE " in result.stdout
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    for i, layer in enumerate(layers):
        np.testing.assert_array_equal(ckpt[f"w{i}"], layer.weight)
        np.testing.assert_array_equal(ckpt[f"b{i}"], layer.bias)
    assert int(ckpt["imported"]) == 1 and int(ckpt["epoch"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npy", "original.npy"]
    command = shlex.split(result.stdout.split("to train on from it: ")[1].strip())
    assert os.path.samefile(tmp_path / command[1], DEMO)
    trained = run_demo(*command[2:], "--total-epochs", 5)
    assert trained.returncode == 0, trained.stderr
    assert "load models finish: ./ckpt.npy (epoch 0, iteration 0)" in trained.stdout
    assert "Epoch: 1/5 Iteration: 0 Loss: " in trained.stdout
    assert int(load_ckpt(tmp_path / "ckpt.npy")["epoch"]) == 5


def test_import_of_a_deeper_net_and_the_resume_message(run_demo, tmp_path):
    write_original_checkpoint(tmp_path / "ckpt.npy", [1, 30, 10, 1])
    refused = run_demo("--total-epochs", 3)                    # a normal resume names the way out
    assert_one_line_error(refused, "pickle", "--import-original")
    result = run_demo("--import-original", "ckpt.npy", "--ckpt-path", "ours.npy")
    assert result.returncode == 0, result.stderr
    assert list(load_ckpt(tmp_path / "ours.npy")["layers_dim"]) == [1, 30, 10, 1]
    assert "--layers-dim 1 30 10 1" in result.stdout


def test_import_never_overwrites_a_checkpoint(run_demo, tmp_path):
    write_original_checkpoint(tmp_path / "original.npy", [1, 25, 1])
    (tmp_path / "ckpt.npy").write_bytes(b"precious")
    result = run_demo("--import-original", "original.npy")
    assert_one_line_error(result, "./ckpt.npy exists already", "--ckpt-path")
    assert (tmp_path / "ckpt.npy").read_bytes() == b"precious"


class Payload:
    """Unpickling this would call ``function(*args)``: proof that code ran, if ``marker`` appears."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return (self.function, self.args)


def payloads(marker):
    command = f"touch {marker}"
    return {
        "os.system": Payload(os.system, command),
        "builtins.eval": Payload(builtins.eval, f"open({str(marker)!r}, 'w')"),
        "builtins.exec": Payload(builtins.exec, f"open({str(marker)!r}, 'w')"),
        "subprocess.Popen": Payload(subprocess.Popen, ["touch", str(marker)]),
        "open": Payload(open, str(marker), "w"),
    }


def evil_checkpoint(tmp_path, name, where):
    marker = tmp_path / "pwned"
    payload = payloads(marker)[name]
    content = {"whole": lambda layers: payload,
               "inside the dict": lambda layers: {"layers_dim": [1, 25, 1], "parameters": layers, "x": payload},
               "as a layer": lambda layers: {"layers_dim": [1, 25, 1], "parameters": [payload, layers[1]]}}[where]
    write_original_checkpoint(tmp_path / "evil.npy", [1, 25, 1], content)
    return marker


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "builtins.exec", "subprocess.Popen", "open"])
@pytest.mark.parametrize("where", ["whole", "inside the dict", "as a layer"])
def test_crafted_payloads_are_refused_without_running(tmp_path, name, where):
    marker = evil_checkpoint(tmp_path, name, where)
    with pytest.raises(OriginalFormatError, match="cannot be read safely|not the original's Linear"):
        read_original(str(tmp_path / "evil.npy"))                  # in this very process
    assert not marker.exists()


def test_crafted_payload_from_the_command_line(run_demo, tmp_path):
    marker = evil_checkpoint(tmp_path, "os.system", "inside the dict")
    result = run_demo("--import-original", "evil.npy")
    assert_one_line_error(result, "cannot import evil.npy", "system")       # os.system pickles as posix.system
    assert not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.npy"]


def bad_original(kind, tmp_path) -> bytes:
    path = tmp_path / "made.npy"
    if kind == "truncated":
        write_original_checkpoint(path, [1, 25, 1])
        return path.read_bytes()[:-40]
    if kind == "raw pickle":
        return pickle.dumps({"layers_dim": [1, 25, 1], "parameters": []})
    if kind == "another pickle":
        np.save(path, np.array([[1, 2], 3], dtype=object), allow_pickle=True)
        return path.read_bytes()
    if kind == "our own format":
        subprocess.run([sys.executable, DEMO, "--total-epochs", "2", "--ckpt-path", "made.npy", "--metrics-path",
                        "m.csv", "--no-show"], cwd=tmp_path, env=headless_env(), capture_output=True, check=True)
        data = path.read_bytes()
        for name in os.listdir(tmp_path):
            os.remove(tmp_path / name)
        return data
    if kind == "wrong shapes":
        write_original_checkpoint(path, [1, 25, 1], lambda layers: {"layers_dim": [1, 24, 1], "parameters": layers})
        return path.read_bytes()
    if kind == "nan weight":
        def content(layers):
            layers[0].weight[3, 0] = np.nan
            return {"layers_dim": [1, 25, 1], "parameters": layers}
        write_original_checkpoint(path, [1, 25, 1], content)
        return path.read_bytes()
    if kind == "missing parameters":
        write_original_checkpoint(path, [1, 25, 1], lambda layers: {"layers_dim": [1, 25, 1]})
        return path.read_bytes()
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["truncated", "raw pickle", "another pickle", "our own format", "wrong shapes",
                                  "nan weight", "missing parameters"])
def test_files_not_of_the_original_format_are_one_line(run_main, run_demo, tmp_path, kind):
    data = bad_original(kind, tmp_path)
    for name in os.listdir(tmp_path):
        os.remove(tmp_path / name)
    (tmp_path / "bad.npy").write_bytes(data)
    result = run_demo("--import-original", "bad.npy") if kind == "raw pickle" else run_main(
        "--import-original", "bad.npy")                                      # one on a real command line
    assert_one_line_error(result, "cannot import bad.npy")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npy"]


def test_missing_file(run_demo, tmp_path):
    assert_one_line_error(run_demo("--import-original", "nowhere.npy"), "cannot import nowhere.npy")
    assert list(tmp_path.iterdir()) == []
