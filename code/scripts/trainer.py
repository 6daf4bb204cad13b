"""The Trainer: train, test, plot, save and load, as in the article, plus exact resume."""

import math
import os
import signal
import threading
from code.config.validate import validate
from code.lib.Data.DataLoader import DataLoader
from code.lib.gradcheck import gradient_check
from code.scripts import plots
from code.scripts.checkpoint import (
    FORMAT,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from code.scripts.Dataset import Dataset
from code.scripts.network import network

import numpy as np


class TrainingDiverged(RuntimeError):
    """The loss or a weight became non-finite."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped training at the end of an epoch; the checkpoint was written."""


class StopOnCtrlC:
    """Within ``with``: the first Ctrl-C sets ``requested``; the second one raises KeyboardInterrupt."""

    def __init__(self):
        self.requested = False

    def __enter__(self):
        self.active = threading.current_thread() is threading.main_thread()
        if self.active:                                       # signals can only be caught there
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        print("\nCtrl-C: stopping at the end of this epoch and saving (press again to abort)", flush=True)
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def __exit__(self, *exc):
        if self.active:
            signal.signal(signal.SIGINT, self.previous)


class Trainer:
    """Trains ``network(cfg.layers_dim)`` on ``Dataset()`` with plain gradient descent.

    cfg: an EasyDict with the keys of code/config/default_config.py's ``_C``.
    dataset: the data to fit, ``Dataset()`` (the article's) when None; anything with
             ``x`` (in, N) and ``y`` (out, N) arrays, e.g. ``Dataset(step=1e-4)``.
    State: ``epoch`` (epochs done), ``iteration`` (updates done), ``loss_history``
    (loss of each epoch done) and ``snapshots`` ({epoch: fit (out, N)}).
    """

    def __init__(self, cfg, dataset=None):
        self.dataset = Dataset() if dataset is None else dataset
        validate(cfg, self.dataset.x.shape[0], self.dataset.y.shape[0])   # ConfigError on a bad value
        self.cfg = cfg
        self.loader = DataLoader(self.dataset, cfg.batch_size)
        # RandomState(seed).random draws what np.random.seed(seed); np.random.random would.
        self.net = network(cfg.layers_dim, cfg.activation, cfg.init, rng=np.random.RandomState(cfg.seed))
        self.epoch = 0
        self.iteration = 0
        self.loss_history = []
        self.snapshots = {}
        self.saved_epoch = None                              # the epoch the file at ckpt_path holds
        if cfg.resume and os.path.exists(cfg.ckpt_path):
            self.load_models()
        elif cfg.resume:
            print(f"no checkpoint at {cfg.ckpt_path}: training from scratch")

    # ---- training -----------------------------------------------------------------------
    def train(self) -> None:
        """Train from epoch ``self.epoch`` + 1 to ``cfg.total_epochs``; checkpoint along the way.

        Raises TrainingDiverged (nothing non-finite is ever saved) and, after a
        first Ctrl-C, TrainingInterrupted once the current epoch is done and saved.
        """
        cfg = self.cfg
        if self.epoch >= cfg.total_epochs:
            print(f"already at epoch {self.epoch} of total_epochs {cfg.total_epochs}: nothing to train. "
                  f"To train further, raise total_epochs above {self.epoch} "
                  f"(e.g. --total-epochs {self.epoch + 1000})")
            return
        # Overflow in exp is harmless in sigmoid (1 / (1 + inf) = 0); NaN is caught below.
        with np.errstate(over="ignore", invalid="ignore"), StopOnCtrlC() as ctrl_c:
            for epoch in range(self.epoch, cfg.total_epochs):
                loss = self.train_one_epoch(epoch)
                if not math.isfinite(loss):
                    self._diverged(epoch + 1, loss)
                self.loss_history.append(loss)
                self.epoch = epoch + 1
                if self.epoch in cfg.progress_epochs:
                    self.snapshots[self.epoch] = self.predict()
                if ctrl_c.requested:
                    self.save_models()
                    raise TrainingInterrupted(self.epoch)
                if self.epoch % cfg.ckpt_every == 0 or self.epoch == cfg.total_epochs:
                    self.save_models()

    def train_one_epoch(self, epoch: int) -> float:
        """One pass over the batches: forward, backward, update for each.

        Returns the epoch's loss: the mean of (output - y)^2 over all its
        samples, each batch measured before its own update.
        """
        cfg, net = self.cfg, self.net
        log = epoch % cfg.log_every == 0
        dz_last = net.grad_names[-1][0]                         # "dz{L}": output - y
        sum_of_squares = 0.0
        for batch in self.loader:
            x, y = batch["x"], batch["y"]                      # (in, m), (out, m)
            caches, output = net.forward(x)
            grads = net.backward(caches, output, y)
            residual = grads[dz_last]                          # output - y, already computed by backward
            sum_of_squares += np.vdot(residual, residual)      # sum of its squares: cheaper than np.mean
            if log:
                loss = np.mean((output - y) ** 2)              # the article's batch loss
                print(f"Epoch: {epoch + 1}/{cfg.total_epochs} Iteration: {self.iteration} Loss: {loss}")
            net.update_grads(grads, cfg.learning_rate)
            self.iteration += 1
        return float(sum_of_squares / self.loader.y.size)

    def _diverged(self, epoch: int, loss: float) -> None:
        kept = (f"{self.cfg.ckpt_path} keeps epoch {self.saved_epoch}" if self.saved_epoch is not None
                else "no checkpoint was written")
        raise TrainingDiverged(f"training diverged at epoch {epoch} (loss {loss}): try a smaller "
                               f"--learning-rate than {self.cfg.learning_rate}; {kept}")

    def predict(self) -> np.ndarray:
        """The net's output on the whole dataset, (out, N)."""
        with np.errstate(over="ignore"):
            return self.net.forward(self.dataset.x)[1]

    def check_gradients(self, samples: int = 20) -> dict:
        """Relative error of backward() against finite differences, per parameter,
        on the first ``samples`` points of the data (see code/lib/gradcheck.py)."""
        x, y = self.dataset.x[:, :samples], self.dataset.y[:, :samples]
        return gradient_check(self.net, x, y)

    # ---- test and figures -------------------------------------------------------------------
    def test(self) -> float:
        """Forward on all the data, print its MSE, save (and maybe show) the figures. Returns the MSE."""
        cfg = self.cfg
        x, y = self.dataset.x[0], self.dataset.y[0]             # (N,), (N,)
        prediction = self.predict()[0]                         # (N,)
        mse = float(np.mean((prediction - y) ** 2))
        print(f"test: MSE {mse} on {len(x)} points after {self.epoch} epochs")
        show = cfg.show and plots.can_show()
        figures = [(plots.plot_result(x, y, prediction, mse, self.epoch, show), cfg.result_img_path)]
        if self.loss_history:
            figures.append((plots.plot_loss(np.array(self.loss_history), show), cfg.loss_img_path))
        fits = self._progress_fits(prediction)
        figures.append((plots.plot_progress(x, y, fits, show), cfg.progress_img_path))
        for fig, path in figures:
            plots.save_figure(fig, path)
        print("figures saved: " + ", ".join(path for _, path in figures))
        if show:
            plots.show_figures()
        return mse

    def _progress_fits(self, final: np.ndarray) -> dict:
        """{epoch: fit (N,)} of the snapshots taken and the final fit; says which are missing."""
        fits = {e: out[0] for e, out in self.snapshots.items()}
        fits[self.epoch] = final
        missing = [e for e in self.cfg.progress_epochs if e <= self.epoch and e not in fits]
        if missing:
            print(f"progress figure: no snapshot of epoch(s) {', '.join(map(str, missing))} "
                  "(the run that wrote the checkpoint did not record them)")
        return fits

    # ---- checkpoint ---------------------------------------------------------------------------
    def state(self) -> dict:
        """Everything a checkpoint holds, as {field: value} (see code/scripts/checkpoint.py)."""
        epochs = sorted(self.snapshots)
        n_out, n = self.loader.y.shape
        state = {
            "format": np.int64(FORMAT),
            "layers_dim": np.array(self.net.layers_dim, dtype=np.int64),
            "activation": np.str_(self.net.activation),
            "epoch": np.int64(self.epoch),
            "iteration": np.int64(self.iteration),
            "loss_history": np.array(self.loss_history, dtype=np.float64),
            "snapshot_epochs": np.array(epochs, dtype=np.int64),
            "snapshot_outputs": np.array([self.snapshots[e] for e in epochs]).reshape(-1, n_out, n),
        }
        state.update(self.net.parameters())
        return state

    def save_models(self) -> None:
        """Write the checkpoint to cfg.ckpt_path (atomically), unless it already holds this epoch."""
        if self.saved_epoch == self.epoch:
            return
        if not all(np.all(np.isfinite(p)) for p in self.net.parameters().values()):
            self._diverged(self.epoch, float("nan"))
        save_checkpoint(self.cfg.ckpt_path, self.state())
        self.saved_epoch = self.epoch
        print(f"save models finish: {self.cfg.ckpt_path} (epoch {self.epoch}, iteration {self.iteration})")

    def load_models(self) -> None:
        """Read cfg.ckpt_path into the net and the training state. CheckpointError if unusable."""
        path = self.cfg.ckpt_path
        state = load_checkpoint(path)
        dims, activation = [int(d) for d in state["layers_dim"]], str(state["activation"])
        if dims != list(self.cfg.layers_dim) or activation != self.cfg.activation:
            raise CheckpointError(
                f"checkpoint {path} has layers_dim {dims}, activation {activation}; config asks for "
                f"layers_dim {list(self.cfg.layers_dim)}, activation {self.cfg.activation}. "
                "Train afresh with --no-resume, or give another --ckpt-path")
        for name, param in self.net.parameters().items():
            param[...] = state[name]                           # in place: the live arrays stay live
        self.epoch, self.iteration = int(state["epoch"]), int(state["iteration"])
        self.loss_history = [float(v) for v in state["loss_history"]]
        self.snapshots = dict(zip((int(e) for e in state["snapshot_epochs"]), state["snapshot_outputs"]))
        if state["snapshot_outputs"].shape[1:] != self.loader.y.shape:   # fits of some other data
            self.snapshots = {}
        self.saved_epoch = self.epoch
        print(f"load models finish: {path} (epoch {self.epoch}, iteration {self.iteration})")
