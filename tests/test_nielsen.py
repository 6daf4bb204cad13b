"""Nielsen's chapters 1 and 3 (issue 30 §3): a sigmoid output, the quadratic cost of one-hot targets,
the cross-entropy with a sigmoid per output, N(0, 1) initial weights, the first n MNIST training images."""

import numpy as np
import pytest
from test_faults import assert_one_line_error
from test_mnist import small_set, write_mnist

from code.lib.gradcheck import numeric_gradient, relative_error
from code.lib.Loss import evaluate
from code.lib.Loss.CrossEntropyLoss import CrossEntropyLoss
from code.lib.Loss.MSELoss import MSELoss
from code.lib.Module.Linear import Linear
from code.scripts.network import network

CHAPTER_1 = ["--dataset", "digits", "--layers-dim", 64, 30, 10, "--output-activation", "sigmoid", "--init", "normal",
             "--learning-rate", 3.0, "--batch-size", 10, "--shuffle", "--quiet"]


def test_normal_init_draws_each_weight_then_each_bias_from_n01():
    layer = Linear(3, 2, bias=True, init="normal", rng=np.random.RandomState(7))
    drawn = np.random.RandomState(7).standard_normal(8)          # 6 weights, then 2 biases
    assert np.array_equal(layer.weight.ravel(), drawn[:6]) and np.array_equal(layer.bias.ravel(), drawn[6:])


def test_the_quadratic_cost_of_labels_by_hand():
    output = np.array([[0.2, 0.9], [0.7, 0.1], [0.1, 0.0]])    # (3 outputs, 2 samples)
    labels = np.array([[1.0, 0.0]])                              # one-hot: [0, 1, 0] and [1, 0, 0]
    # sample 1: (0.2)^2 + (0.7 - 1)^2 + 0.1^2 = 0.14; sample 2: (0.9 - 1)^2 + 0.1^2 + 0 = 0.02
    assert MSELoss(onehot=True).forward(output, labels) == pytest.approx((0.14 + 0.02) / 4)
    assert np.allclose(MSELoss(onehot=True).backward(output, labels), [[0.2, -0.1], [-0.3, 0.1], [0.1, 0.0]])
    found = evaluate(MSELoss(onehot=True), output, labels)
    assert found == {"loss": pytest.approx(0.04), "accuracy": 1.0, "name": "quadratic cost"}   # argmax: 1, then 0


def test_the_cross_entropy_of_a_sigmoid_per_output_by_hand():
    z = np.array([[0.0, 2.0], [1.0, -1.0]])                      # (2 outputs, 2 samples)
    labels = np.array([[1.0, 0.0]])                              # answers [0, 1] and [1, 0]
    s = 1 / (1 + np.exp(-z))
    answers = np.array([[0.0, 1.0], [1.0, 0.0]])
    by_hand = -(answers * np.log(s) + (1 - answers) * np.log(1 - s)).sum() / 2
    loss = CrossEntropyLoss(sigmoid_outputs=True)
    assert loss.forward(z, labels) == pytest.approx(by_hand, rel=1e-14)
    assert np.allclose(loss.backward(z, labels), s - answers, rtol=0, atol=1e-15)
    far = np.array([[1000.0], [-1000.0]])                        # saturated both ways: finite, exact
    assert loss.forward(far, np.array([[1.0]])) == pytest.approx(2000.0)


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_backward_of_a_sigmoid_output_matches_central_differences(loss):
    rng = np.random.default_rng(3)
    net = network([4, 5, 3], init="normal", rng=rng, loss=loss, output_activation="sigmoid", labels=True)
    x, labels = rng.normal(size=(4, 6)), np.array([[0, 1, 2, 2, 1, 0]], dtype=float)
    caches, output = net.forward(x)
    if loss == "mse":                                            # the net's output is sigmoid(z) itself
        assert np.allclose(output, 1 / (1 + np.exp(-caches["z"][-1])), rtol=1e-15)
    grads = net.backward(caches, output, labels)
    for name, param in net.parameters().items():
        numeric = numeric_gradient(net, param, x, labels)
        assert relative_error(grads["d" + name], numeric) < 1e-7, name


def test_the_output_delta_is_nielsens_by_hand():
    """Chapter 1's delta = (a - y) * sigma'(z) for the quadratic cost; chapter 3's delta = a - y."""
    net = network([1, 1, 2], init="normal", rng=np.random.default_rng(0), output_activation="sigmoid", labels=True)
    caches, a = net.forward(np.array([[0.5]]))
    y = np.array([[1.0, 0.0]]).T                                 # the one-hot of label 0
    delta = net.backward(caches, a, np.array([[0.0]]))["dz1"]
    assert np.allclose(delta, (a - y) * a * (1 - a), rtol=1e-15)
    ce = network([1, 1, 2], init="normal", rng=np.random.default_rng(0), loss="cross_entropy", output_activation="sigmoid")
    caches, z = ce.forward(np.array([[0.5]]))
    assert np.allclose(ce.backward(caches, z, np.array([[0.0]]))["dz1"], 1 / (1 + np.exp(-z)) - y, rtol=1e-15)


def test_chapter_1_on_the_digits_learns_and_says_its_quadratic_cost(run_main, tmp_path):
    result = run_main(*CHAPTER_1, "--total-epochs", 3)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    held_out = [line for line in result.stdout.splitlines() if line.startswith("validation: ")][0]
    assert " quadratic cost " in held_out and held_out.endswith("on 355 held-out points")
    assert float(held_out.split()[2]) > 0.75, held_out          # 0.82 here; chance is 0.1
    saved = np.load(tmp_path / "ckpt.npy", allow_pickle=False)
    assert saved["output_activation"] == "sigmoid" and saved["init"] == "normal" and saved["loss"] == "mse"


def test_chapter_1_resumes_to_the_very_bytes_of_a_straight_run(run_main, tmp_path):
    assert run_main(*CHAPTER_1, "--total-epochs", 1, "--out", "resumed").returncode == 0
    assert run_main(*CHAPTER_1, "--total-epochs", 2, "--out", "resumed").returncode == 0
    assert run_main(*CHAPTER_1, "--total-epochs", 2, "--out", "straight").returncode == 0
    for name in ("ckpt.npy", "metrics.csv"):
        assert (tmp_path / "resumed" / name).read_bytes() == (tmp_path / "straight" / name).read_bytes(), name


def test_a_changed_output_activation_is_a_run_of_its_own(run_main, tmp_path):
    assert run_main(*CHAPTER_1, "--total-epochs", 1).returncode == 0
    result = run_main(*CHAPTER_1[:6], "--output-activation", "none", *CHAPTER_1[8:], "--total-epochs", 1)
    assert result.returncode == 0 and "output_activation" in result.stdout, result.stdout


def test_train_images_reads_the_first_n_training_images(tmp_path):
    from code.lib.Data import mnist
    write_mnist(tmp_path / "m", small_set(30), small_set(7, seed=1))
    data = mnist.MNIST(str(tmp_path / "m"), train_images=12)
    whole = mnist.MNIST(str(tmp_path / "m"))
    assert data.x.shape == (784, 19) and data.held_out.tolist() == [False] * 12 + [True] * 7
    assert np.array_equal(data.x[:, :12], whole.x[:, :12]) and np.array_equal(data.x[:, 12:], whole.x[:, 30:])
    assert np.array_equal(data.y[0], np.concatenate([whole.y[0, :12], whole.y[0, 30:]]))


@pytest.mark.parametrize("flags,fragment", [
    (("--output-activation", "softmax"), "output_activation must be one of none, sigmoid, got 'softmax'"),
    (("--dataset", "spiral", "--loss", "cross_entropy", "--layers-dim", 2, 9, 3, "--output-activation", "sigmoid"),
     "dataset spiral classifies with the softmax"),
    (("--dataset", "spiral", "--layers-dim", 2, 9, 3), "dataset spiral is a set to classify"),
    (("--dataset", "digits", "--train-images", 100), "train_images 100 counts MNIST's training images"),
    (("--train-images", 60_001), "train_images must be an integer from 0 to 60,000, got 60001"),
])
def test_a_bad_nielsen_setting_is_one_line(run_main, tmp_path, flags, fragment):
    assert_one_line_error(run_main(*flags), fragment)
    assert list(tmp_path.iterdir()) == []


def test_more_train_images_than_the_file_holds_is_one_line(run_main, tmp_path):
    write_mnist(tmp_path / "m", small_set(30), small_set(7, seed=1))
    result = run_main("--dataset", "mnist", "--data-path", "m", "--layers-dim", 784, 5, 10, "--train-images", 31)
    assert_one_line_error(result, "train_images 31", "holds 30 images")
