"""What ``Trainer.test()`` draws: every figure of a trained run, saved (and shown where there is a
window or a notebook to show them in).  A figure whose path is "" is not drawn."""

import matplotlib
import numpy as np

from code.lib.chunks import predict
from code.run.names import shown
from code.run.snapshots import unflat
from code.scripts.network import network
from code.see import animation, digits, figures, maps, output


def progress_fits(trainer, final: np.ndarray) -> dict:
    """{epoch: output (out, N)} of the snapshots kept and the final output; says which are missing."""
    net = network(trainer.cfg.layers_dim, trainer.cfg.activation, rng=np.random.default_rng(0))  # np.random untouched
    fits = {}
    for epoch in sorted(set(trainer.snapshots) & set(trainer.cfg.progress_epochs)):
        net.load_parameters(unflat(trainer.snapshots[epoch], trainer.cfg.layers_dim))
        with np.errstate(over="ignore"):
            fits[epoch] = predict(net, trainer.x)
    fits[trainer.epoch] = final
    missing = [e for e in trainer.cfg.progress_epochs if e <= trainer.epoch and e not in fits]
    if missing:
        print(f"progress figure: no snapshot of epoch(s) {', '.join(map(str, missing))} "
              "(the run that wrote the checkpoint did not record them)")
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
    elif one_input and classify:
        made["result_img_path"] = lambda: figures.plot_class_result(x, labels, prediction, found, epoch,
                                                                    trainer.held_out)
    elif one_input:
        made["result_img_path"] = lambda: figures.plot_result(x, y, final, mse, epoch, trainer.held_out)
    else:
        made["result_img_path"] = lambda: figures.plot_predicted_vs_true(y, final, mse, epoch)
    if trainer.history.epochs:
        note = figures.ADAM_NOTE if cfg.optimizer == "adam" else ""
        made["loss_img_path"] = lambda: figures.plot_loss(trainer.history, note)
    if one_input and classify:
        made["progress_img_path"] = lambda: figures.plot_class_progress(x, labels, progress_fits(trainer, prediction))
    elif one_input:
        made["progress_img_path"] = lambda: figures.plot_progress(x, y, first_outputs(progress_fits(trainer, prediction)))
    if one_input and hidden_layers:
        made["hidden_img_path"] = lambda: figures.plot_hidden(trainer.net, x, y, classify)
    elif not side and (cfg.progress_img_path or cfg.hidden_img_path):
        print("progress and hidden figures: skipped (they draw the fit over one input; this data has "
              f"{trainer.x.shape[0]}, or the net has no hidden layer)")
    if trainer.history.epochs and hidden_layers:
        made["gradients_img_path"] = lambda: figures.plot_gradients(trainer.history, hidden_layers)
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
