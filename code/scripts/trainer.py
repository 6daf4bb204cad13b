"""The Trainer: train, test, save and load, as in the article, plus exact resume."""

import math
import os
import sys

import numpy as np

from code.config.validate import check_layers_fit, validate
from code.lib.Data.prepare import prepare, training_loader
from code.lib.Optim import make_optimizer
from code.run import folders, metrics, paths, snapshots, state
from code.run.checkpoint import load_checkpoint, save_checkpoint
from code.run.checks import resume_notes
from code.run.signals import StopOnSignal, TrainingStopped
from code.scripts.Dataset import make_dataset
from code.scripts.network import network
from code.see import report


class TrainingDiverged(RuntimeError):
    """The loss or a weight became non-finite."""


class Trainer:
    """Trains ``network(cfg.layers_dim)`` on ``Dataset()`` with the configured optimizer.

    cfg: an EasyDict with the keys of code/config/default_config.py's ``_C``.
    dataset: the data to fit, ``Dataset()`` (the article's) when None; anything with
             ``x`` (in, N) and ``y`` (out, N) arrays (1-D counts as one row), e.g. ``Dataset(step=1e-4)``.
    State: ``epoch`` (epochs done), ``iteration`` (updates done), ``history`` (per-epoch
    measurements, also in metrics.csv) and ``snapshots`` ({epoch: parameters}).
    """

    def __init__(self, cfg, dataset=None):
        validate(cfg)                                        # ConfigError on a bad value
        self.cfg = cfg
        self.dataset = make_dataset(cfg) if dataset is None else dataset
        self.x, self.y, self.held_out = prepare(self.dataset, cfg)   # (in, N), (out, N), (N,)
        check_layers_fit(cfg.layers_dim, self.x.shape[0], self.y.shape[0])
        self.loader = training_loader(self.x, self.y, self.held_out, cfg)   # batches of the others
        # RandomState(seed).random draws what np.random.seed(seed); np.random.random would.
        self.net = network(cfg.layers_dim, cfg.activation, cfg.init, rng=np.random.RandomState(cfg.seed))
        self.optimizer = make_optimizer(cfg, self.net.parameters())
        folders.choose(cfg, state.settings(cfg, self.net, self.x, self.y, self.held_out))   # cfg.out, run folders
        validate(cfg)
        paths.check_distinct(cfg)                            # no file written twice, no input overwritten
        self.epoch, self.iteration = 0, 0
        self.validating = bool(self.held_out.any())          # held-out points: a validation loss too
        self.history = metrics.History(cfg.metrics_path, metrics.names(self.net, self.validating),
                                       state.run_identity(state.settings(cfg, self.net, self.x, self.y, self.held_out)))
        self.snapshots = {}                                  # {epoch: flat parameters}, for the figures
        self.after_epoch = []                                # called with the trainer after every epoch
        self.imported = False                                # the weights came from --import-original
        self.saved_epoch = None                              # the epoch the file at ckpt_path holds
        if cfg.resume and os.path.exists(cfg.ckpt_path):
            self.load_models()
        else:
            if cfg.resume:
                print(f"no checkpoint at {cfg.ckpt_path}: training from scratch")
            note = self.history.claim()                      # another run's metrics.csv: set aside
            if note:
                print(note)

    # ---- training -----------------------------------------------------------------------
    def train(self) -> None:
        """Train from epoch ``self.epoch`` + 1 to ``cfg.total_epochs``; checkpoint along the way.

        Ctrl-C (or SIGTERM, SIGHUP) finishes the epoch, saves, then raises TrainingStopped (a
        KeyboardInterrupt): the trainer is left at a whole epoch. Raises TrainingDiverged
        (nothing non-finite is ever saved).
        """
        cfg = self.cfg
        if self.epoch >= cfg.total_epochs:
            print(f"already at epoch {self.epoch} of total_epochs {cfg.total_epochs}: nothing to train. To train "
                  f"further, raise total_epochs (--total-epochs {self.epoch + 1000}, or cfg.total_epochs)")
            return
        keep = snapshots.snapshot_epochs(cfg)
        # Overflow in exp is harmless in sigmoid (1 / (1 + inf) = 0); NaN is caught below.
        with StopOnSignal() as stop, np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(self.epoch, cfg.total_epochs):
                row = self.train_one_epoch(epoch)
                if not math.isfinite(row["loss"]):
                    self._diverged(epoch + 1, row["loss"])
                self.epoch = epoch + 1
                if self.validating:
                    row["val_loss"] = self.mse(self.predict(self.x[:, self.held_out]), self.held_out)
                self.history.append(self.epoch, row)
                if self.epoch in keep:
                    self.snapshots[self.epoch] = snapshots.flat(self.net.parameters())
                for watch in self.after_epoch:                 # the progress line, the live window
                    watch(self)
                if stop.requested() or self.epoch % cfg.ckpt_every == 0 or self.epoch == cfg.total_epochs:
                    self.save_models()
                if stop.requested():
                    raise TrainingStopped(stop.signum, self.epoch)

    def train_one_epoch(self, epoch: int) -> dict:
        """One pass over the batches: forward, backward, optimizer step for each.

        Returns the epoch's row of metrics.csv (see metrics.Measurements): its loss is the mean
        of (output - y)^2 over all its samples, each batch measured before its own update.
        """
        cfg, net = self.cfg, self.net
        log = epoch % cfg.log_every == 0 and not cfg.quiet
        if cfg.shuffle:                                      # the same orders after a resume
            self.loader.rng = np.random.default_rng([cfg.seed, epoch])
        measured = metrics.Measurements(net, detailed=metrics.measured(epoch + 1))
        for batch in self.loader:
            x, y = batch["x"], batch["y"]                      # (in, m), (out, m)
            caches, output = net.forward(x)                    # output: (out, m)
            grads = net.backward(caches, output, y)            # dz{i}, dw{i}, db{i}
            measured.add(caches, output, y, grads)
            if log:                                            # the article's batch loss
                print(f"Epoch: {epoch + 1}/{cfg.total_epochs} Iteration: {self.iteration} "
                      f"Loss: {np.mean((output - y) ** 2)}")
            self.optimizer.step(grads)                         # W_i -= lr * dw_i, b_i -= lr * db_i (sgd)
            self.iteration += 1
        return measured.row()

    def _diverged(self, epoch: int, loss: float) -> None:
        kept = (f"{self.cfg.ckpt_path} keeps epoch {self.saved_epoch}" if self.saved_epoch is not None
                else "no checkpoint was written")
        raise TrainingDiverged(f"training diverged at epoch {epoch} (loss {loss}): try a smaller "
                               f"--learning-rate than {self.cfg.learning_rate}; {kept}")

    # ---- test ---------------------------------------------------------------------------------
    def predict(self, x: np.ndarray | None = None, params: dict | None = None) -> np.ndarray:
        """The net's output (out, N) on ``x`` (in, N), all the data when None; with ``params``, the
        output of a net holding those (a scratch net: np.random's sequence is left alone)."""
        net = self.net
        if params is not None:
            net = network(self.cfg.layers_dim, self.cfg.activation, rng=np.random.default_rng(0))
            net.load_parameters(params)
        with np.errstate(over="ignore"):
            return net.forward(self.x if x is None else x)[1]

    def mse(self, prediction: np.ndarray | None = None, points: np.ndarray | None = None) -> float:
        """The mean of (output - y)^2 over all the data, or over the mask ``points`` (N,)."""
        y = self.y if points is None else self.y[:, points]
        return float(np.mean(((self.predict() if prediction is None else prediction) - y) ** 2))

    def test(self) -> float:
        """Forward on all the data, print its MSE, save (and maybe show) the figures. Returns the MSE."""
        prediction = self.predict()                            # (out, N)
        mse = self.mse(prediction)
        print(f"test: MSE {mse} on {self.y.shape[1]} points after {self.epoch} epochs")
        if self.validating:
            print(f"validation: MSE {self.mse(prediction[:, self.held_out], self.held_out)} "
                  f"on {np.count_nonzero(self.held_out)} held-out points")
        report.draw_figures(self, prediction, mse)
        return mse

    # ---- checkpoint ---------------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the checkpoint holds (see code/run/state.py).
        TrainingDiverged if a weight is not finite: nothing non-finite is ever saved."""
        params = self.net.parameters()
        if not all(np.all(np.isfinite(p)) for p in params.values()):
            self._diverged(self.epoch, float("nan"))
        return state.make_state(state.settings(self.cfg, self.net, self.x, self.y, self.held_out),
                                self.epoch, self.iteration, self.imported, self.snapshots, params,
                                self.optimizer.state_dict())

    def save_models(self) -> None:
        """Append to metrics.csv, then write the checkpoint to cfg.ckpt_path (atomically), unless it
        holds this epoch already.  A metrics file that cannot be written never costs the checkpoint."""
        if self.saved_epoch == self.epoch:
            return
        saved = self.state()
        problem = self.history.flush()                         # "" or one line saying what failed
        save_checkpoint(self.cfg.ckpt_path, saved)
        self.saved_epoch = self.epoch
        if not self.cfg.quiet:
            print(f"save models finish: {self.cfg.ckpt_path} (epoch {self.epoch}, iteration {self.iteration})")
        if problem:
            print(problem, file=sys.stderr)

    def load_models(self) -> None:
        """Read cfg.ckpt_path into the net, the optimizer and the training state.
        CheckpointError if it is damaged or of another net, optimizer or data."""
        path = self.cfg.ckpt_path
        saved = load_checkpoint(path)
        for note in resume_notes(path, saved, state.settings(self.cfg, self.net, self.x, self.y, self.held_out)):
            print(note)
        self.net.load_parameters(saved)
        self.optimizer.load_state_dict(state.optimizer_state(saved))
        self.epoch, self.iteration = int(saved["epoch"]), int(saved["iteration"])
        self.imported = bool(saved["imported"])
        self.snapshots = dict(zip(saved["snapshot_epochs"].tolist(), saved["snapshot_params"]))
        note = self.history.resume(self.epoch, state.run_identity(saved))
        if note:
            print(note)
        self.saved_epoch = self.epoch
        print(f"load models finish: {path} (epoch {self.epoch}, iteration {self.iteration})")
