"""Classification from the command line (issue 21): the 2-D sets, accuracy, the decision map, resume."""

import numpy as np
import pytest
from conftest import load_ckpt
from test_faults import assert_one_line_error

SPIRAL = ["--loss", "cross_entropy", "--dataset", "spiral", "--layers-dim", 2, 32, 3, "--activation", "relu",
          "--init", "xavier", "--learning-rate", 0.5, "--batch-size", 32, "--n-points", 300]


def test_the_spiral_is_learned_and_its_decision_map_drawn(run_demo, tmp_path):
    result = run_demo(*SPIRAL, "--total-epochs", 600, "--log-every", 300, figures=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    test_line = [line for line in result.stdout.splitlines() if line.startswith("test: ")][0]
    accuracy = float(test_line.split()[2])
    assert test_line.startswith("test: accuracy ") and " cross-entropy " in test_line and accuracy > 0.9
    assert (tmp_path / "result.png").read_bytes()[:4] == b"\x89PNG"
    header = (tmp_path / "metrics.csv").read_text().splitlines()[0]
    assert header.startswith("epoch,loss,accuracy,")
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    assert str(ckpt["loss"]) == "cross_entropy" and str(ckpt["dataset"]) == "spiral" and int(ckpt["classes"]) == 3


@pytest.mark.parametrize("dataset,dims", [("spiral", (2, 16, 3)), ("circle", (2, 8, 1)), ("xor", (2, 8, 2)),
                                          ("moons", (2, 8, 1)), ("gauss", (2, 4, 2))])
def test_resume_gives_the_very_bytes_of_a_straight_run(run_main, tmp_path, dataset, dims):
    flags = ["--loss", "cross_entropy", "--dataset", dataset, "--layers-dim", *dims, "--weight-decay", 1e-3,
             "--n-points", 120, "--batch-size", 32, "--val-fraction", 0.25, "--shuffle"]
    assert run_main(*flags, "--total-epochs", 30, "--out", "resumed").returncode == 0
    assert run_main(*flags, "--total-epochs", 60, "--out", "resumed").returncode == 0
    assert run_main(*flags, "--total-epochs", 60, "--out", "straight").returncode == 0
    for name in ("ckpt.npy", "metrics.csv"):
        assert (tmp_path / "resumed" / name).read_bytes() == (tmp_path / "straight" / name).read_bytes()
    header = (tmp_path / "straight" / "metrics.csv").read_text().splitlines()[0]
    assert header.startswith("epoch,loss,val_loss,accuracy,val_accuracy,")


@pytest.mark.parametrize("flags,fragment", [
    (("--dataset", "spirals", "--loss", "cross_entropy"), "dataset must be one of sine, circle, xor, gauss, spiral, moons"),
    (("--loss", "cross_entropy"), "loss cross_entropy classifies: it needs labels"),
    (("--dataset", "circle"), "needs loss cross_entropy"),
    (("--loss", "cross_entropy", "--dataset", "spiral", "--layers-dim", 2, 8, 2), "the last the 3 classes"),
    (("--loss", "cross_entropy", "--dataset", "circle", "--layers-dim", 3, 8, 1), "the first size must be the 2 inputs"),
    (("--loss", "hinge",), "loss must be one of mse, cross_entropy"),
    (("--weight-decay", -1), "weight_decay must be a number from 0 to 1e+100"),
    (("--classes", 1), "classes must be an integer from 2 to 20")])
def test_every_bad_classification_setting_is_one_line(run_main, tmp_path, flags, fragment):
    assert_one_line_error(run_main(*flags), fragment)
    assert list(tmp_path.iterdir()) == []


def test_a_label_that_is_not_an_integer_in_range_names_the_file_row_and_column(run_main, tmp_path):
    rows = "".join(f"{i / 10},{-i / 10},{i % 3}\n" for i in range(40))
    (tmp_path / "d.csv").write_text("x0,x1,label\n" + rows.replace("0.5,-0.5,2", "0.5,-0.5,3"))
    result = run_main("--loss", "cross_entropy", "--data-path", "d.csv", "--layers-dim", 2, 8, 3, "--batch-size", 8)
    assert_one_line_error(result, "data_path 'd.csv' row 7 column 3: 3.0 is not a label, an integer from 0 to 2")
    (tmp_path / "d.csv").write_text("x0,x1,label\n" + rows)
    assert run_main("--loss", "cross_entropy", "--data-path", "d.csv", "--layers-dim", 2, 8, 3, "--batch-size", 8,
                    "--total-epochs", 3).returncode == 0


def test_weight_decay_by_hand():
    from code.lib.Optim import SGD
    p, g = np.array([2.0, -4.0]), np.array([1.0, 1.0])
    SGD({"w0": p}, lr=0.5, weight_decay=0.1).step({"dw0": g})
    np.testing.assert_allclose(p, [2.0 - 0.5 * (1 + 0.2), -4.0 - 0.5 * (1 - 0.4)], rtol=1e-15)


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_weight_decay_equals_torch_optim_over_100_steps(name):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (never required)")
    from code.lib.Optim import SGD, Adam
    rng = np.random.default_rng(0)
    ours = {"w0": rng.normal(size=(3, 2))}
    theirs = torch.tensor(ours["w0"].copy(), requires_grad=True)
    mine = (SGD if name == "sgd" else Adam)(ours, lr=0.01, weight_decay=1e-2)
    torch_opt = (torch.optim.SGD if name == "sgd" else torch.optim.Adam)([theirs], lr=0.01, weight_decay=1e-2)
    for _ in range(100):
        g = rng.normal(size=(3, 2))
        mine.step({"dw0": g})
        theirs.grad = torch.tensor(g)
        torch_opt.step()
    np.testing.assert_allclose(ours["w0"], theirs.detach().numpy(), rtol=1e-10)


def test_explain_under_cross_entropy_prints_the_probabilities_and_p_minus_y(run_main):
    result = run_main("--explain", "--no-resume", "--loss", "cross_entropy", "--dataset", "spiral",
                      "--layers-dim", 2, 2, 3)
    assert result.returncode == 0, result.stderr                                   # the gradient check passed
    out = result.stdout
    assert "p = softmax(output), column by column" in out and "loss: J = mean of -log p_label = " in out
    p = np.array([[float(v) for v in line.strip(" []").split()] for line in
                  out.split("p = softmax(output), column by column    shape (3, 3)\n", 1)[1].splitlines()[:3]])
    dz = np.array([[float(v) for v in line.strip(" []").split()] for line in
                   out.split("dz1 = p - onehot(y)    shape (3, 3)\n", 1)[1].splitlines()[:3]])
    np.testing.assert_allclose(dz, p - np.eye(3), atol=2e-6)                      # labels 0, 1, 2 on the first 3
    assert abs(float(out.split("mean of -log p_label = ")[1].split()[0]) - np.mean(-np.log(np.diag(p)))) < 1e-5


@pytest.mark.parametrize("classes", [3, 1])
def test_cross_entropy_and_its_gradients_equal_torchs(classes):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (never required)")
    from code.scripts.network import network
    rng = np.random.default_rng(5)
    net = network([2, 6, classes], activation="tanh", init="xavier", rng=rng, loss="cross_entropy")
    x = rng.normal(size=(2, 7))
    y = rng.integers(0, max(classes, 2), size=(1, 7)).astype(float)
    caches, output = net.forward(x)
    grads = net.backward(caches, output, y)
    layers = [torch.nn.Linear(2, 6).double(), torch.nn.Tanh(), torch.nn.Linear(6, classes).double()]
    with torch.no_grad():
        for layer, ours in zip(layers[::2], net.linear_list):
            layer.weight.copy_(torch.from_numpy(ours.weight))
            layer.bias.copy_(torch.from_numpy(ours.bias[:, 0]))
    logits = torch.nn.Sequential(*layers)(torch.from_numpy(x.T.copy()))
    target = torch.from_numpy(y[0])
    loss = (torch.nn.CrossEntropyLoss()(logits, target.long()) if classes > 1
            else torch.nn.BCEWithLogitsLoss()(logits[:, 0], target))
    loss.backward()
    assert net.loss.forward(output, y) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(grads["dw0"], layers[0].weight.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grads["dw1"], layers[2].weight.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_compare_takes_the_new_keys(run_main, tmp_path):
    result = run_main("--compare", "dataset=circle,moons", "--loss", "cross_entropy", "--layers-dim", 2, 8, 1,
                      "--total-epochs", 20, "--n-points", 100, "--batch-size", 20)
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()[2:4]] == ["circle", "moons"]
    assert run_main("--compare", "weight_decay=0,1e-3", "--total-epochs", 5).returncode == 0


def test_figures_draw_a_bounded_number_of_points(tmp_path):
    from test_demo import config

    from code.scripts.Dataset import Dataset
    from code.scripts.trainer import Trainer
    from code.see import report
    trainer = Trainer(config(tmp_path, total_epochs=1, batch_size=20000), dataset=Dataset(step=1e-5))   # 200,000
    made = report.make_figures(trainer, trainer.predict(), trainer.scores())
    drawn = [len(artist.get_offsets()) if hasattr(artist, "get_offsets") else len(artist.get_xdata())
             for _, fig in made for ax in fig.axes for artist in ax.collections + ax.lines]
    assert max(drawn) <= 4000 and len(trainer.x[0]) == 200_000
