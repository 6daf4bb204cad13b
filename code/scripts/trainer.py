"""The Trainer: train, test, save and load, as in the article, plus exact resume."""

import os

import numpy as np

from code.config.validate import check_unchanged, validate
from code.lib.chunks import predict
from code.lib.Data.prepare import prepare_data
from code.lib.Loss import describe, evaluate
from code.lib.Optim import make_optimizer
from code.run import folders, metrics, snapshots, state
from code.run.checkpoint import load_checkpoint, save_checkpoint
from code.run.checks import resume_notes
from code.run.names import shown
from code.run.signals import StopOnSignal, TrainingStopped
from code.run.state import TrainingDiverged
from code.scripts.Dataset import make_dataset
from code.scripts.network import network
from code.see import report


class Trainer:
    """Trains ``network(cfg.layers_dim)`` on ``Dataset()`` (or ``dataset``: anything with ``x`` (in, N)
    and ``y`` (out, N) arrays) with the configured optimizer; cfg: the keys of default_config.py's _C.
    State: ``epoch``, ``iteration``, ``history``, ``snapshots``; weights as np.random.seed(seed), np.random.random."""

    def __init__(self, cfg, dataset=None):
        validate(cfg)                                        # ConfigError on a bad value
        self.cfg, self.dataset = cfg, make_dataset(cfg) if dataset is None else dataset
        self.x, self.y, self.held_out, self.loader = prepare_data(self.dataset, cfg)   # (in, N), (out, N), (N,)
        self.net = network(cfg.layers_dim, cfg.activation, cfg.init, rng=np.random.RandomState(cfg.seed), loss=cfg.loss)
        self.optimizer = make_optimizer(cfg, self.net.parameters())
        self.settings = state.settings(cfg, self.net, self.x, self.y, self.held_out)   # what the checkpoint records
        self.fixed = folders.settle(cfg, self.settings)      # cfg.out, a run folder, checked paths; kept settings
        self.epoch, self.iteration = 0, 0
        self.validating = bool(self.held_out.any())          # held-out points: a validation loss too
        names = metrics.names(self.net, self.validating)
        self.history = metrics.History(cfg.metrics_path, names, state.run_identity(self.settings))
        self.snapshots, self.after_epoch = {}, []            # {epoch: flat parameters}; called after each epoch
        self.imported, self.saved_epoch = False, None        # from --import-original; the epoch ckpt_path holds
        if cfg.resume and os.path.exists(cfg.ckpt_path):
            self.load_models()
        elif cfg.resume:
            print(f"no checkpoint at {shown(cfg.ckpt_path)}: training from scratch")
        self.history.claim(loaded=self.saved_epoch is not None)   # another run's metrics.csv: set aside

    def train(self) -> None:
        """Train from epoch ``self.epoch`` + 1 to ``cfg.total_epochs``; checkpoint along the way. Ctrl-C
        (SIGTERM, SIGHUP) finishes the epoch, saves, raises TrainingStopped; TrainingDiverged on NaN."""
        cfg = self.cfg
        check_unchanged(cfg, self.fixed)                     # ConfigError: a changed learning_rate, ...
        if self.epoch >= cfg.total_epochs:
            print(f"already at epoch {self.epoch} of total_epochs {cfg.total_epochs}: nothing to train. To train "
                  f"further, raise total_epochs (--total-epochs {self.epoch + 1000}, or cfg.total_epochs)")
            return
        keep = snapshots.snapshot_epochs(cfg)
        # Overflow in exp is harmless in sigmoid (1 / (1 + inf) = 0); NaN is caught below.
        with StopOnSignal() as stop, np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(self.epoch, cfg.total_epochs):
                row = self.train_one_epoch(epoch)
                if not np.isfinite(row["loss"]):
                    raise TrainingDiverged(state.diverged(epoch + 1, row["loss"], cfg, self.saved_epoch))
                self.epoch = epoch + 1
                if self.validating:
                    row.update({"val_" + key: value for key, value in self.scores(self.held_out).items()})
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
        """Forward, backward and a step for each batch; returns the epoch's row of metrics.csv."""
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
                loss = net.loss.forward(output, y) if cfg.loss == "cross_entropy" else np.mean((output - y) ** 2)
                print(f"Epoch: {epoch + 1}/{cfg.total_epochs} Iteration: {self.iteration} Loss: {loss}")
            self.optimizer.step(grads)                         # W_i -= lr * dw_i, b_i -= lr * db_i (sgd)
            self.iteration += 1
        return measured.row()

    def predict(self, x: np.ndarray | None = None) -> np.ndarray:
        """The net's output (out, N) on ``x`` (in, N), all the data when None."""
        with np.errstate(over="ignore"):
            return predict(self.net, self.x if x is None else x)

    def scores(self, points: np.ndarray | None = None, prediction: np.ndarray | None = None) -> dict:
        """{"loss": MSE or cross-entropy, "accuracy" if classifying} on all data or ``points`` (output: ``prediction``)."""
        chosen = slice(None) if points is None else points
        output = self.predict(self.x[:, chosen]) if prediction is None else prediction
        return evaluate(self.net.loss, output, self.y[:, chosen])

    def mse(self) -> float:
        """The mean of (output - y)^2 over all the data (the cross-entropy when classifying)."""
        return self.scores()["loss"]

    def test(self) -> float:
        """Forward on all the data, print its MSE, save (and maybe show) the figures. Returns the MSE."""
        prediction = self.predict()                            # (out, N), once for the lines and the figures
        found = self.scores(prediction=prediction)
        print(f"test: {describe(found)} on {self.y.shape[1]} points after {self.epoch} epochs")
        if self.validating:
            print(f"validation: {describe(self.scores(self.held_out, prediction[:, self.held_out]))} on "
                  f"{np.count_nonzero(self.held_out)} held-out points")
        report.draw_figures(self, prediction, found)
        return found["loss"]

    def state(self) -> dict:
        """Everything the checkpoint holds (code/run/state.py); never a non-finite weight or a changed setting."""
        check_unchanged(self.cfg, self.fixed)
        params = state.finite(self.net.parameters(), state.diverged(self.epoch, "nan", self.cfg, self.saved_epoch))
        return state.make_state(self.settings, self.epoch, self.iteration, self.imported, self.snapshots, params,
                                self.optimizer.state_dict())

    def save_models(self) -> None:
        """Append to metrics.csv (a failure costs no checkpoint), then write the checkpoint, atomically."""
        if self.saved_epoch == self.epoch:
            return
        saved = self.state()
        self.history.flush()                                   # a failure: one line, and on to the checkpoint
        save_checkpoint(self.cfg.ckpt_path, saved)
        self.saved_epoch = self.epoch
        if not self.cfg.quiet:
            print(f"save models finish: {shown(self.cfg.ckpt_path)} (epoch {self.epoch}, iteration {self.iteration})")

    def load_models(self) -> None:
        """Read cfg.ckpt_path into the net, the optimizer and the training state (CheckpointError: unusable)."""
        path = self.cfg.ckpt_path
        saved = load_checkpoint(path)
        for note in resume_notes(path, saved, self.settings):
            print(note)
        self.net.load_parameters(saved)
        self.optimizer.load_state_dict(state.optimizer_state(saved))
        self.epoch, self.iteration, self.imported = int(saved["epoch"]), int(saved["iteration"]), bool(saved["imported"])
        self.snapshots = dict(zip(saved["snapshot_epochs"].tolist(), saved["snapshot_params"]))
        self.history.resume(self.epoch, state.run_identity(saved))   # metrics.csv's rows up to the epoch
        self.saved_epoch = self.epoch
        print(f"load models finish: {shown(path)} (epoch {self.epoch}, iteration {self.iteration})")
