"""Pictures a learner can read (issue 29 §5) and a classifier shown as one (issue 27 §3), read
through matplotlib's objects: titles, tick labels, legends, colour bars, the texts' places."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_demo import config

from code.run.metrics import History
from code.scripts.trainer import Trainer
from code.see import figures
from code.see.frames import spread_frames
from code.see.report import make_figures


def one_input_classifier(tmp_path) -> Trainer:
    """A [1, 4, 2] net trained 30 epochs on x in [0, 1) labelled 1 above 0.5."""
    rows = [f"{x:.3f},{int(x > 0.5)}" for x in np.arange(0, 1, 0.02)]
    (tmp_path / "classes.csv").write_text("x,label\n" + "\n".join(rows) + "\n")
    cfg = config(tmp_path, data_path=str(tmp_path / "classes.csv"), loss="cross_entropy", layers_dim=[1, 4, 2],
                 batch_size=10, total_epochs=30, progress_epochs=[10, 30], quiet=True)
    trainer = Trainer(cfg)
    trainer.train()
    return trainer


def texts_of(fig) -> str:
    """Every title, axis label and legend entry of a figure, one string."""
    words = [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        words += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend():
            words += [text.get_text() for text in ax.get_legend().get_texts()]
    return " | ".join(words)


def test_a_one_input_classifier_speaks_of_cross_entropy_and_accuracy(tmp_path):
    trainer = one_input_classifier(tmp_path)
    made = dict((name.rsplit("/", 1)[-1], fig) for name, fig in
                make_figures(trainer, trainer.predict(), trainer.scores()))
    assert {"result.png", "loss.png", "progress.png", "hidden.png"} <= set(made)
    for name in ("result.png", "progress.png", "loss.png"):
        words = texts_of(made[name])
        assert "MSE" not in words and "fit" not in words.lower(), (name, words)
    assert "accuracy" in texts_of(made["result.png"]) and "cross-entropy" in texts_of(made["result.png"])
    assert "MSE" not in texts_of(made["hidden.png"])
    probabilities = [line.get_ydata() for line in made["result.png"].axes[0].get_lines()]
    assert probabilities and all(0 <= np.min(p) and np.max(p) <= 1 for p in probabilities)   # drawn as p, not logits


def labelled_ticks(fig, axis: str = "y") -> list:
    """The tick labels of the first axes that lie inside its view, after a draw."""
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    low, high = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
    return [t for t in ticks if low <= t <= high]


def test_a_log_loss_axis_keeps_three_labelled_values_even_over_a_narrow_range(tmp_path):
    for start, end in ((200.0, 0.15), (0.2, 0.15), (1.3, 1.1)):
        history = History(str(tmp_path / f"m{start}.csv"), ["loss"])
        for epoch, loss in enumerate(np.geomspace(start, end, 300), start=1):
            history.append(epoch, {"loss": loss})
        assert len(labelled_ticks(figures.plot_loss(history))) >= 3, (start, end)


def test_hidden_units_colours_have_their_colour_bar(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=5, quiet=True))
    trainer.train()
    fig = figures.plot_hidden(trainer.net, trainer.x[0], trainer.y[0])
    bars = [ax for ax in fig.axes if "output weight" in ax.get_ylabel()]
    assert len(bars) == 1
    low, high = sorted(bars[0].get_ylim())
    weights = trainer.net.linear_list[-1].weight[0]
    assert low <= weights.min() and weights.max() <= high                 # the scale covers every W[0, j]


def extent(artist, fig):
    """The artist's box in pixels, as drawn (the figures are made without pyplot: an Agg canvas here)."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    return artist.get_window_extent(canvas.get_renderer())


def test_a_legend_made_room_above_the_data_covers_no_point():
    fig = figures.figure(6, 4)
    ax = fig.add_subplot()
    x = np.linspace(0, 2, 200)
    for k in range(3):
        ax.plot(x, 20 * np.sin(2 * np.pi * x) + k, label=f"run {k}")
    figures.legend_above_the_data(ax, 3)
    FigureCanvasAgg(fig).draw()
    box = extent(ax.get_legend(), fig)
    points = np.concatenate([ax.transData.transform(line.get_xydata()) for line in ax.get_lines()])
    inside = (box.x0 <= points[:, 0]) & (points[:, 0] <= box.x1) & (box.y0 <= points[:, 1]) & (points[:, 1] <= box.y1)
    assert not inside.any()


def test_gradient_legends_sit_under_their_panels(tmp_path):
    history = History(str(tmp_path / "m.csv"), ["loss", "grad_norm_0", "grad_norm_1", "saturated_1"])
    for epoch in range(1, 50):
        history.append(epoch, {"loss": 1.0 / epoch, "grad_norm_0": 2.0 / epoch, "grad_norm_1": 1.0 + epoch,
                               "saturated_1": epoch / 50})
    fig = figures.plot_gradients(history, 1)
    FigureCanvasAgg(fig).draw()
    for ax in fig.axes:
        assert extent(ax.get_legend(), fig).y1 < extent(ax, fig).y0       # under the axes, over no curve


def test_the_adam_note_sits_under_the_x_label(tmp_path):
    history = History(str(tmp_path / "m.csv"), ["loss"])
    for epoch in range(1, 100):
        history.append(epoch, {"loss": 1.0 / epoch})
    fig = figures.plot_loss(history, figures.ADAM_NOTE)
    FigureCanvasAgg(fig).draw()
    note = [text for text in fig.texts if text.get_text().startswith("Spikes")]
    assert len(note) == 1
    label = fig.axes[0].xaxis.label
    assert extent(note[0], fig).y1 < extent(label, fig).y0


def test_frames_go_where_the_picture_moves():
    epochs = list(range(1, 101))
    pictures = np.zeros((100, 5))
    pictures[50:] = np.linspace(0, 10, 50)[:, None]                         # still for 50 epochs, then moving
    frames = spread_frames(epochs, pictures, 20)
    assert len(frames) == 20 and frames[0] == 1 and frames[-1] == 100 and frames == sorted(set(frames))
    still = sum(epoch <= 50 for epoch in frames)
    assert 1 <= still <= 20 * 0.25 + 1                                      # a quarter by rank, no more


def test_the_prediction_plot_keeps_its_y_label_inside_the_figure():
    rng = np.random.default_rng(0)
    y = rng.normal(0, 100, 200)                                             # tick values of four characters
    fig = figures.plot_predicted_vs_true(y, y + rng.normal(0, 5, 200), 25.0, 100)
    FigureCanvasAgg(fig).draw()
    label = extent(fig.axes[0].yaxis.label, fig)
    assert label.x0 > 0 and all(extent(t, fig).x0 > label.x1 for t in fig.axes[0].get_yticklabels() if t.get_text())
