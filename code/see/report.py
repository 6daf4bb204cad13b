"""What ``Trainer.test()`` draws: every figure of a trained run, saved (and shown where there is a
window or a notebook to show them in).  A figure whose path is "" is not drawn."""

import matplotlib
import numpy as np

from code.lib.chunks import predict
from code.lib.Loss import loss_name
from code.run.names import shown
from code.run.snapshots import unflat
from code.scripts.network import make_network
from code.see import animation, digits, figures, maps, output
from code.see.net_figure import plot_net, too_large


def progress_nets(trainer) -> dict:
    """{epoch: a net holding the parameters of that epoch} for the snapshots kept at progress_epochs
    and the trained net at the end; says which are missing."""
    cfg = trainer.cfg
    nets = {}
    for epoch in sorted(set(trainer.snapshots) & set(cfg.progress_epochs)):
        nets[epoch] = make_network(cfg, rng=np.random.default_rng(0))   # np.random untouched
        nets[epoch].load_parameters(unflat(trainer.snapshots[epoch], cfg.layers_dim))
    nets[trainer.epoch] = trainer.net
    missing = [e for e in cfg.progress_epochs if e <= trainer.epoch and e not in nets]
    if missing:
        print(f"progress figure: no snapshot of epoch(s) {', '.join(map(str, missing))} "
              "(the run that wrote the checkpoint did not record them)")
    return nets


def progress_fits(trainer, final: np.ndarray) -> dict:
    """{epoch: output (out, N)} of the snapshots kept and the final output."""
    fits = {}
    for epoch, net in progress_nets(trainer).items():
        with np.errstate(over="ignore"):
            fits[epoch] = final if net is trainer.net else predict(net, trainer.x)
    return fits


def first_outputs(outputs: dict) -> dict:
    """{epoch: output (out, N)} -> {epoch: the first output (N,)}: the fit over x."""
    return {epoch: output[0] for epoch, output in outputs.items()}


def make_figures(trainer, prediction: np.ndarray, found: dict) -> list:
    """[(path, figure)] for every figure that applies to this run; prediction: (out, N); found: its
    scores on all the data (Trainer.scores)."""
    cfg, epoch, mse = trainer.cfg, trainer.epoch, found["loss"]
    x, y, final = trainer.x[0], trainer.y[0], prediction[0]           # (N,): the first input and output
    one_input = trainer.x.shape[0] == 1
    hidden_layers = len(trainer.net.linear_list) - 1
    made = {}
    side = getattr(trainer.dataset, "side", 0)                         # digit images: side x side pixels
    classify = cfg.loss == "cross_entropy"
    labels = trainer.y[0].astype(np.int64) if classify else None
    if side:
        made["result_img_path"] = lambda: digits.plot_digits(trainer.x, trainer.y[0].astype(np.int64), prediction,
                                                             trainer.held_out, side)
        made["hidden_img_path"] = lambda: digits.plot_weights(trainer.net.linear_list[0].weight, side)
    elif classify and trainer.x.shape[0] == 2:
        accuracy = found["accuracy"]
        made["result_img_path"] = lambda: maps.plot_decision(trainer.net, trainer.x, labels, trainer.held_out, accuracy)
        made["progress_img_path"] = lambda: maps.plot_decision_progress(progress_nets(trainer), trainer.x, labels)
    elif one_input and classify:
        made["result_img_path"] = lambda: figures.plot_class_result(x, labels, prediction, found, epoch,
                                                                    trainer.held_out)
    elif one_input:
        made["result_img_path"] = lambda: figures.plot_result(x, y, final, mse, epoch, trainer.held_out)
    else:
        made["result_img_path"] = lambda: figures.plot_predicted_vs_true(y, final, mse, epoch)
    if trainer.history.epochs:
        note = figures.ADAM_NOTE if cfg.optimizer == "adam" else ""
        made["loss_img_path"] = lambda: figures.plot_loss(trainer.history, note, loss_name(trainer.net.loss))
    if one_input and classify:
        made["progress_img_path"] = lambda: figures.plot_class_progress(x, labels, progress_fits(trainer, prediction))
    elif one_input:
        made["progress_img_path"] = lambda: figures.plot_progress(x, y, first_outputs(progress_fits(trainer, prediction)),
                                                                  trainer.held_out)
    if one_input and hidden_layers:
        made["hidden_img_path"] = lambda: figures.plot_hidden(trainer.net, x, y, classify)
    refused = too_large(trainer.net.layers_dim)
    if refused:
        if cfg.net_img_path:
            print(f"net figure: skipped ({refused})")
    else:
        made["net_img_path"] = lambda: plot_net(trainer.net, trainer.x, trainer.y, classify)
    if trainer.history.epochs and hidden_layers:
        made["gradients_img_path"] = lambda: figures.plot_gradients(trainer.history, hidden_layers)
    skipped = [key.split("_")[0] for key in ("progress_img_path", "hidden_img_path") if cfg[key] and key not in made]
    if skipped and not side:
        reason = (f"drawn over one input with a hidden layer; this data has {trainer.x.shape[0]} inputs"
                  if trainer.x.shape[0] != 2 or "net_img_path" not in made else "net.png draws each unit over the plane")
        print(f"{' and '.join(skipped)} figure{'s' * (len(skipped) > 1)}: skipped ({reason})")
    with matplotlib.rc_context(output.STYLE):
        return [(cfg[key], draw()) for key, draw in made.items() if cfg[key]]


def draw_figures(trainer, prediction: np.ndarray, found: dict) -> list:
    """Draw and save every figure of a trained ``trainer`` and its animation; show them when the
    config says so and there is somewhere to show them.  Returns the files written."""
    cfg = trainer.cfg
    made = make_figures(trainer, prediction, found)
    written = [output.save_figure(fig, path) for path, fig in made]
    if cfg.animation_path:
        written += [animation.write_animation(trainer, cfg.animation_path, cfg.animation_frames)]
        written = [path for path in written if path]
    if written:
        print("figures saved: " + ", ".join(map(shown, written)))
    if cfg.show:
        output.show([fig for _, fig in made], written)
    return written
