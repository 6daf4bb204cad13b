"""The whole net drawn (issue 29 §2), the panels that move (§4: share colours, the decision map),
and a two-input classifier's moments and animation, read through matplotlib's objects."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from PIL import Image
from test_demo import config

from code.scripts.trainer import Trainer
from code.see import animation, net_figure
from code.see.animation import write_animation
from code.see.figures import share_colours
from code.see.loss_panel import LossOnly
from code.see.map_panels import MapPanels
from code.see.maps import map_image
from code.see.output import figure
from code.see.panels import TrainingPanels, panels_for
from code.see.report import make_figures


def spiral(tmp_path, **overrides) -> Trainer:
    settings = dict(loss="cross_entropy", dataset="spiral", n_points=150, layers_dim=[2, 8, 3], activation="relu",
                    init="xavier", learning_rate=1.0, batch_size=150, total_epochs=400, progress_epochs=[10, 100],
                    quiet=True)
    cfg = config(tmp_path, **{**settings, **overrides})
    trainer = Trainer(cfg)
    trainer.train()
    return trainer


def edges_of(fig) -> list:
    """The net figure's edge collections, one per layer of weights (the ones with 2-point segments)."""
    return [c for c in fig.axes[0].collections if isinstance(c, LineCollection) and len(c.get_segments())
            and all(len(s) == 2 for s in c.get_segments())]


def test_the_net_figure_has_an_edge_per_weight_coloured_by_its_sign_and_as_wide_as_its_size(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=0, layers_dim=[1, 3, 1]))
    w = trainer.net.linear_list[0].weight                               # (3, 1)
    w[:] = [[2.0], [-1.0], [0.5]]
    fig = net_figure.plot_net(trainer.net, trainer.x, trainer.y, classify=False)
    first, second = edges_of(fig)
    assert len(first.get_segments()) == 3 and len(second.get_segments()) == 3
    red, blue = first.get_colors()[0], first.get_colors()[1]
    assert red[0] > red[2] and blue[2] > blue[0]                        # + red, - blue
    assert list(first.get_linewidths()) == [3.0, 0.2 + 2.8 * 0.5, 0.2 + 2.8 * 0.25]   # |W| / max |W|
    titles = [t.get_text() for t in fig.axes[0].texts]
    assert {"input: 1", "hidden layer 1: 3", "output: 1"} <= set(titles)


def test_each_unit_of_one_input_is_drawn_as_its_curve_over_x(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=0, layers_dim=[1, 3, 1]))
    fig = net_figure.plot_net(trainer.net, trainer.x, trainer.y, classify=False)
    curves = [c for c in fig.axes[0].collections if isinstance(c, LineCollection) and c not in edges_of(fig)]
    assert [len(c.get_segments()) for c in curves] == [1, 3, 1]         # input, the hidden units, the output
    hidden = curves[1].get_segments()[0]                                # a_0(x), sigmoid: rises or falls, smooth
    assert len(hidden) == net_figure.CURVE_POINTS and np.all(np.isfinite(hidden))


def test_a_two_input_net_draws_each_unit_as_a_map_and_the_output_in_its_classes_colours(tmp_path):
    trainer = spiral(tmp_path)
    fig = net_figure.plot_net(trainer.net, trainer.x, trainer.y, classify=True)
    images = fig.axes[0].get_images()
    assert len(images) == 2 + 8 + 3
    last = np.asarray(images[-1].get_array())                           # class 2's probability, tinted green
    assert last.shape == (net_figure.MAP_POINTS, net_figure.MAP_POINTS, 3) and last.min() < 0.8
    FigureCanvasAgg(fig).draw()                                         # it draws


def test_a_net_too_wide_gets_a_line_and_no_figure(tmp_path, capsys):
    trainer = Trainer(config(tmp_path, total_epochs=0, layers_dim=[1, 101, 1]))
    made = dict(make_figures(trainer, trainer.predict(), trainer.scores()))
    assert str(tmp_path / "net.png") not in made
    assert "net figure: skipped (it draws up to 100 units a layer; this net has 101)" in capsys.readouterr().out


def test_share_colours_follow_the_weights_at_every_redraw(tmp_path):
    trainer = Trainer(config(tmp_path, total_epochs=0))
    fig = figure(10, 3.4)
    panels = TrainingPanels(fig, trainer, 10, (0.1, 100))
    weights = trainer.net.linear_list[-1].weight
    weights[0, :] = np.linspace(-35, 20, weights.shape[1])
    panels.show_net(trainer.net, 0)
    assert np.allclose(panels.shares.get_colors(), share_colours(weights[0]))
    colours = panels.shares.get_colors()
    assert colours[0][2] > colours[0][0] and colours[-1][0] > colours[-1][2]    # -35 blue, +20 red


def test_the_panels_a_run_gets(tmp_path):
    assert panels_for(Trainer(config(tmp_path, total_epochs=0))) is TrainingPanels
    assert panels_for(spiral(tmp_path, total_epochs=1)) is MapPanels
    grid = "\n".join(f"{a},{b},{a + b}" for a in range(5) for b in range(5))
    (tmp_path / "grid.csv").write_text("a,b,y\n" + grid + "\n")
    assert panels_for(Trainer(config(tmp_path, total_epochs=0, data_path=str(tmp_path / "grid.csv"),
                                     layers_dim=[2, 4, 1], batch_size=5))) is LossOnly


def test_the_moving_map_is_the_net_s_map_and_its_title_speaks_of_classes(tmp_path):
    trainer = spiral(tmp_path)
    panels = MapPanels(figure(10, 3.4), trainer, 400, (0.01, 10))
    panels.show_net(trainer.net, 400)
    assert np.array_equal(panels.map.get_array(), map_image(trainer.net, panels.grid))
    found = trainer.scores()
    assert panels.title.get_text() == f"epoch 400: cross-entropy {found['loss']:.3g}, accuracy {found['accuracy']:.0%}"


def test_a_two_input_classifier_gets_its_moments_and_its_animation(tmp_path):
    trainer = spiral(tmp_path, animation_path=str(tmp_path / "t.gif"), animation_frames=6)
    made = dict(make_figures(trainer, trainer.predict(), trainer.scores()))
    moments = made[str(tmp_path / "progress.png")]
    assert [ax.get_title().split(":")[0] for ax in moments.axes] == ["epoch 10", "epoch 100", "epoch 400"]
    assert all(len(ax.get_images()) == 1 for ax in moments.axes)        # a decision map each
    assert write_animation(trainer, trainer.cfg.animation_path, 6) == str(tmp_path / "t.gif")
    with Image.open(tmp_path / "t.gif") as gif:
        first = np.asarray(gif.convert("RGB"))
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"))
        assert gif.n_frames == 6
    assert np.abs(first.astype(int) - last).max() > 50                  # the map moved


@pytest.mark.parametrize("epochs", [400, 1000])                        # 1000 is an epoch of the snapshot grid
def test_each_frame_of_the_animation_is_drawn_once(tmp_path, monkeypatch, epochs):
    trainer = spiral(tmp_path, animation_path=str(tmp_path / "t.gif"), animation_frames=12, total_epochs=epochs)
    drawn, frame = [], animation._Artists.frame
    monkeypatch.setattr(animation._Artists, "frame", lambda self, net, epoch: drawn.append(epoch) or frame(self, net, epoch))
    write_animation(trainer, trainer.cfg.animation_path, 12)
    assert len(drawn) == 12 and len(set(drawn)) == 12                   # 8 of them make the palette, and are kept
    assert drawn[8:] == sorted(drawn[8:])                               # then the other 4, in order
    assert max(drawn) == epochs                                          # the last frame is the end
