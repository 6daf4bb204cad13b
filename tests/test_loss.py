"""The loss as a module of its own (issue 21, part 1): MSELoss, CrossEntropyLoss, and the 2-D datasets."""

import math

import numpy as np
import pytest

from code.lib.Activation import ACTIVATIONS
from code.lib.Data.toy2d import DATASETS, spiral
from code.lib.gradcheck import gradient_check
from code.lib.Loss import CrossEntropyLoss, MSELoss, get_loss
from code.lib.Loss.CrossEntropyLoss import predicted, probabilities
from code.scripts.network import network


def test_mse_is_the_articles_loss_and_gradient():
    output, y = np.array([[1.0, 3.0]]), np.array([[0.0, 1.0]])
    assert MSELoss().forward(output, y) == (1 + 4) / (2 * 2)                    # (1 / 2m) sum((o - y)^2)
    np.testing.assert_array_equal(MSELoss().backward(output, y), [[1.0, 2.0]])   # output - y


def test_three_class_cross_entropy_by_hand():
    z = np.array([[0.0, 1.0], [math.log(2), 1.0], [math.log(3), 1.0]])          # two samples, three classes
    y = np.array([[2, 0]])
    # sample 0: p = (1, 2, 3) / 6, label 2 -> -log(1/2); sample 1: p = 1/3 each, label 0 -> log 3
    assert CrossEntropyLoss().forward(z, y) == pytest.approx((math.log(2) + math.log(3)) / 2, rel=1e-15)
    np.testing.assert_allclose(CrossEntropyLoss().backward(z, y),
                               [[1 / 6 - 0, 1 / 3 - 1], [2 / 6, 1 / 3], [3 / 6 - 1, 1 / 3]], rtol=1e-14)


def test_two_class_cross_entropy_by_hand_softmax_and_binary():
    z, y = np.array([[0.0], [math.log(3)]]), np.array([[1]])                    # p = (1/4, 3/4), label 1
    assert CrossEntropyLoss().forward(z, y) == pytest.approx(math.log(4 / 3), rel=1e-15)
    np.testing.assert_allclose(CrossEntropyLoss().backward(z, y), [[0.25], [-0.25]], rtol=1e-14)
    one = np.array([[math.log(3)]])                                             # sigmoid(ln 3) = 3/4
    assert CrossEntropyLoss().forward(one, np.array([[1]])) == pytest.approx(math.log(4 / 3), rel=1e-14)
    assert CrossEntropyLoss().forward(one, np.array([[0]])) == pytest.approx(math.log(4), rel=1e-14)
    np.testing.assert_allclose(CrossEntropyLoss().backward(one, np.array([[0]])), [[0.75]], rtol=1e-14)


def test_logits_of_a_thousand_give_finite_losses_and_gradients():
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [0.0, 0.0]])
    for y in (np.array([[0, 1]]), np.array([[1, 0]])):
        loss, grad = CrossEntropyLoss().forward(z, y), CrossEntropyLoss().backward(z, y)
        assert math.isfinite(loss) and np.all(np.isfinite(grad))
    assert CrossEntropyLoss().forward(z, np.array([[1, 0]])) == pytest.approx(2000.0)
    binary = np.array([[1000.0, -1000.0]])
    assert CrossEntropyLoss().forward(binary, np.array([[0, 1]])) == pytest.approx(1000.0)
    assert np.all(np.isfinite(probabilities(binary))) and predicted(binary).tolist() == [1, 0]


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("layers_dim", [[2, 6, 3], [2, 5, 4, 1]])
def test_gradient_check_under_cross_entropy(activation, layers_dim):
    rng = np.random.default_rng(len(layers_dim))
    net = network(layers_dim, activation=activation, init="xavier", rng=rng, loss="cross_entropy")
    for layer in net.linear_list:                      # non-zero biases: no unit sits on relu's kink at 0
        layer.bias[...] = rng.normal(scale=0.5, size=layer.bias.shape)
    classes = max(layers_dim[-1], 2)
    x, y = rng.normal(size=(2, 9)), rng.integers(0, classes, size=(1, 9)).astype(float)
    errors = gradient_check(net, x, y)
    assert max(errors.values()) < 1e-6, errors


def test_unknown_loss_lists_the_choices():
    with pytest.raises(ValueError, match="mse, cross_entropy"):
        get_loss("hinge")


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_each_dataset_is_seeded_two_dimensional_and_labelled(name):
    x, labels = DATASETS[name](500, 0.1, np.random.default_rng(3))
    again, same = DATASETS[name](500, 0.1, np.random.default_rng(3))
    assert x.shape == (2, 500) and labels.shape == (500,) and np.array_equal(x, again)
    assert np.array_equal(labels, same) and np.all(np.isfinite(x))
    counts = np.bincount(labels)
    assert len(counts) == (3 if name == "spiral" else 2) and counts.min() >= 0.8 * 500 / len(counts)


def test_the_spiral_has_as_many_arms_as_classes():
    x, labels = spiral(600, 0.0, np.random.default_rng(0), classes=4)
    assert sorted(set(labels.tolist())) == [0, 1, 2, 3]
    radius = np.hypot(*x)
    assert radius.max() <= 1.0 + 1e-12                                           # CS231n's unit disk
