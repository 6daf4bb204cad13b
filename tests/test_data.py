"""Your own data: noise, held-out points and CSV files (issue 12)."""

import os
import re

import numpy as np
import pytest
from conftest import load_ckpt
from test_demo import config
from test_faults import assert_one_line_error

from code.config.validate import ConfigError
from code.run.metrics import History
from code.scripts.trainer import Trainer
from code.see.figures import plot_loss
from code.see.report import make_figures


def write_grid_csv(path, n=15):
    """y = x1^2 + x2 on an n x n grid of [-1, 1]^2, with a header row."""
    x1, x2 = np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n))
    table = np.column_stack([x1.ravel(), x2.ravel(), x1.ravel() ** 2 + x2.ravel()])
    np.savetxt(path, table, delimiter=",", header="x1,x2,y", comments="")
    return table


def test_two_input_csv_trains_and_draws_what_makes_sense(run_demo, tmp_path):
    write_grid_csv(tmp_path / "grid.csv")
    flags = ["--data-path", "grid.csv", "--layers-dim", 2, 16, 1, "--activation", "tanh", "--init", "xavier",
             "--optimizer", "adam", "--learning-rate", 0.01, "--batch-size", 25]
    first = run_demo(*flags, "--total-epochs", 1, "--ckpt-path", "start.npy", figures=True)
    result = run_demo(*flags, "--total-epochs", 300, figures=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    start = float(first.stdout.split("test: MSE ")[1].split()[0])
    mse = float(result.stdout.split("test: MSE ")[1].split()[0])
    assert "on 225 points" in result.stdout and mse < start / 20, (start, mse)
    assert "progress and hidden figures: skipped" in result.stdout
    assert (tmp_path / "result.png").read_bytes()[:4] == b"\x89PNG"


def test_noise_and_held_out_points(run_demo, tmp_path):
    result = run_demo("--total-epochs", 40, "--noise", 2.0, "--val-fraction", 0.25)
    assert result.returncode == 0, result.stderr
    assert "validation: MSE " in result.stdout and "on 50 held-out points" in result.stdout
    assert re.search(r"^test: MSE \S+ on 150 training points after 40 epochs$", result.stdout, re.M)
    header, *rows = (tmp_path / "metrics.csv").read_text().splitlines()          # a plain CSV
    assert header.startswith("epoch,loss,val_loss,") and len(rows) == 40
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    assert float(ckpt["noise"]) == 2.0 and float(ckpt["val_fraction"]) == 0.25
    assert int(ckpt["iteration"]) == 40 * 2                          # 150 training points: batches of 90, 60


def test_held_out_points_are_never_trained_on(tmp_path):
    trainer = Trainer(config(tmp_path, val_fraction=0.3, noise=1.0))
    assert np.count_nonzero(trainer.held_out) == 60 and trainer.loader.x.shape[1] == 140
    trained = set(trainer.loader.x[0].tolist())
    assert trained.isdisjoint(trainer.x[0, trainer.held_out].tolist())
    again = Trainer(config(tmp_path, val_fraction=0.3, noise=1.0))
    np.testing.assert_array_equal(again.y, trainer.y)                 # seeded: the same noise, the same split
    assert not np.array_equal(trainer.y, Trainer(config(tmp_path)).y)


@pytest.mark.parametrize("options", [{"noise": 1.5, "val_fraction": 0.2}, {"data_path": "grid.csv"}])
def test_exact_resume_with_noise_held_out_points_and_csv(tmp_path, options):
    write_grid_csv(tmp_path / "grid.csv")
    if "data_path" in options:
        options = dict(options, data_path=str(tmp_path / "grid.csv"), layers_dim=[2, 8, 1], batch_size=50)
    Trainer(config(tmp_path, total_epochs=15, **options)).train()
    Trainer(config(tmp_path, total_epochs=30, resume=True, **options)).train()
    resumed = (tmp_path / "ckpt.npy").read_bytes(), (tmp_path / "metrics.csv").read_bytes()
    os.remove(tmp_path / "ckpt.npy")
    Trainer(config(tmp_path, total_epochs=30, **options)).train()
    assert resumed == ((tmp_path / "ckpt.npy").read_bytes(), (tmp_path / "metrics.csv").read_bytes())


def test_resuming_on_other_data_is_an_error(tmp_path):
    table = write_grid_csv(tmp_path / "grid.csv")
    options = {"data_path": str(tmp_path / "grid.csv"), "layers_dim": [2, 8, 1], "batch_size": 50}
    Trainer(config(tmp_path, total_epochs=2, **options)).train()
    table[7, 2] += 1e-9
    np.savetxt(tmp_path / "grid.csv", table, delimiter=",", header="x1,x2,y", comments="")
    from code.run.checks import CheckpointError
    with pytest.raises(CheckpointError, match=r"another run's \(data [0-9a-f]{16} -> [0-9a-f]{16}\).*cfg.out.*move the checkpoint away"):
        Trainer(config(tmp_path, total_epochs=4, resume=True, **options))


BAD_FILES = {
    "missing": (None, "is missing, not a file of numbers"),
    "a folder": ("FOLDER", "is a folder, not a file of numbers"),
    "a FIFO": ("FIFO", "is a FIFO (named pipe), not a file of numbers"),
    "a comment sign in a cell": ("x,y\n0.1,2\n1#x,3\n", "row 3 column 1: '1#x' is not a number"),
    "empty": ("", "is empty"),
    "header only": ("x,y\n", "no rows"),
    "not a number": ("x,y\n0.1,2\n0.2,abc\n", "row 3 column 2: 'abc' is not a number"),
    "empty cell": ("x,y\n0.1,2\n,3\n", "row 3 column 1: '' is not a number"),
    "short row": ("x,y\n0.1,2\n0.2\n", "row 3: 1 cells, the header has 2"),
    "nan": ("x,y\n0.1,2\n0.2,nan\n", "row 3 column 2: nan is not a finite number"),
    "inf": ("x,y\n0.1,inf\n", "row 2 column 2: inf is not a finite number"),
    "three columns": ("x,y,z\n1,2,3\n", "has 3 columns; layers_dim asks for 2"),
    "fewer than a batch": ("x,y\n" + "".join(f"{i},{i}\n" for i in range(10)), "10 training points, fewer than one batch"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_csv_is_one_line_naming_the_file(run_main, run_demo, tmp_path, kind):
    text, fragment = BAD_FILES[kind]
    if text == "FOLDER":
        os.mkdir(tmp_path / "d.csv")
    elif text == "FIFO":
        os.mkfifo(tmp_path / "d.csv")                                       # read, it would wait forever
    elif text is not None:
        (tmp_path / "d.csv").write_text(text)
    before = sorted(os.listdir(tmp_path))
    run = run_demo if kind == "not a number" else run_main                # one on a real command line
    assert_one_line_error(run("--data-path", "d.csv", "--total-epochs", 2), "data_path 'd.csv'", fragment)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("key,value", [("noise", -1.0), ("noise", float("nan")), ("val_fraction", 1.0),
                                       ("val_fraction", -0.1)])
def test_bad_noise_or_fraction(tmp_path, key, value):
    with pytest.raises(ConfigError, match=key):
        Trainer(config(tmp_path, **{key: value}))


def test_loss_figure_says_which_losses_it_draws(tmp_path):
    labels = {}
    for columns in (["loss"], ["loss", "val_loss"]):
        history = History(str(tmp_path / "m.csv"), columns)
        for epoch in (1, 2):
            history.append(epoch, {"loss": 2.0 / epoch, "val_loss": 3.0 / epoch})
        ax = plot_loss(history).axes[0]
        labels[len(columns)] = (ax.get_ylabel(), [line.get_label() for line in ax.get_lines()])
    assert labels[1] == ("loss (MSE)", ["training, each epoch", "training, mean of 2 epochs"])
    assert labels[2] == ("loss (MSE)", ["training, each epoch", "training, mean of 2 epochs",   # held-out smoothed too
                                        "held-out points (validation), each epoch",
                                        "held-out points (validation), mean of 2 epochs"])


def test_the_loss_band_is_drawn_with_its_moving_average(tmp_path):
    history = History(str(tmp_path / "m.csv"), ["loss"])
    for epoch in range(1, 4001):                                 # a swing of two epochs around 1 / epoch
        history.append(epoch, {"loss": (1.0 + 0.2 * (-1) ** epoch) / epoch})
    raw, smooth = plot_loss(history).axes[0].get_lines()[:2]
    assert raw.get_alpha() < 0.5 < smooth.get_linewidth()       # the raw curve faint, the mean bold
    epochs, values = smooth.get_data()
    window = 4                                                   # 2 * (4000 // 2000): even, the swing averages out
    assert len(values) == 4000 - window + 1 and epochs[0] == window
    expected = np.mean([(1.0 + 0.2 * (-1) ** e) / e for e in range(1, window + 1)])
    assert values[0] == pytest.approx(expected, rel=1e-12)
    assert np.all(np.diff(values) < 0)                           # the trend, without the band


def test_an_unreadable_data_file_is_one_line_before_training(run_main, tmp_path, monkeypatch):
    from code.lib.Data import csv_data
    (tmp_path / "d.csv").write_text("x,y\n" + "".join(f"{i},{i}\n" for i in range(100)))

    def refused(path, *args, **kwargs):                      # what a file without read permission does
        raise PermissionError(13, "Permission denied", path)  # (root reads any file: a test cannot chmod it)
    monkeypatch.setattr(csv_data, "open", refused, raising=False)
    result = run_main("--data-path", "d.csv", "--total-epochs", 2)
    assert_one_line_error(result, "data_path 'd.csv' cannot be read: Permission denied")
    assert sorted(os.listdir(tmp_path)) == ["d.csv"]


def test_val_fraction_that_leaves_no_training_point_is_one_line(run_main, tmp_path):
    assert_one_line_error(run_main("--val-fraction", 0.999), "val_fraction 0.999 holds out all 200 points")
    assert_one_line_error(run_main("--compare", "learning_rate=0.1,0.2", "--val-fraction", 0.999),
                          "val_fraction 0.999 holds out all 200 points")
    assert list(tmp_path.iterdir()) == []


def test_with_held_out_points_the_fit_titles_give_both_mses_as_the_test_and_validation_lines(tmp_path):
    trainer = Trainer(config(tmp_path, val_fraction=0.2, noise=2.0, total_epochs=50, progress_epochs=[10], quiet=True))
    trainer.train()
    held = trainer.held_out
    trained, kept = trainer.scores(~held)["loss"], trainer.scores(held)["loss"]     # the two printed lines' MSEs
    assert trained != kept
    made = dict(make_figures(trainer, trainer.predict(), trainer.scores()))
    result = made[trainer.cfg.result_img_path].axes[0].get_title()
    assert result == f"fit after 50 epochs: MSE {trained:.4g}, held out {kept:.4g}"
    last = made[trainer.cfg.progress_img_path].axes[-1].get_title()
    assert last == f"epoch 50: MSE {trained:.3g}, held out {kept:.3g}"
