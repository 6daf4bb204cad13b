"""The Trainer: train, test, save and load, as in the article, plus exact resume."""

import math
import os

import numpy as np

from code.config.validate import check_unchanged, option, validate
from code.lib.Data.prepare import prepare_data
from code.lib.Loss.CrossEntropyLoss import predicted
from code.lib.Optim import make_optimizer
from code.run import folders, metrics, snapshots, state
from code.run.checkpoint import load_checkpoint, save_checkpoint
from code.run.checks import resume_notes
from code.run.signals import StopOnSignal, TrainingStopped
from code.run.state import TrainingDiverged
from code.scripts.Dataset import make_dataset
from code.scripts.network import network
from code.see import report


class Trainer:
    """Trains ``network(cfg.layers_dim)`` on ``Dataset()`` (or ``dataset``: anything with ``x`` (in, N)
    and ``y`` (out, N) arrays) with the configured optimizer; cfg: the keys of default_config.py's _C.
    State: ``epoch`` and ``iteration`` (done), ``history`` (metrics.csv), ``snapshots`` ({epoch: params})."""

    def __init__(self, cfg, dataset=None):
        validate(cfg)                                        # ConfigError on a bad value
        self.cfg, self.dataset = cfg, make_dataset(cfg) if dataset is None else dataset
        self.x, self.y, self.held_out, self.loader = prepare_data(self.dataset, cfg)   # (in, N), (out, N), (N,)
        # RandomState(seed).random draws what np.random.seed(seed); np.random.random would.
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
            print(f"no checkpoint at {cfg.ckpt_path}: training from scratch")
        self.history.claim(loaded=self.saved_epoch is not None)   # another run's metrics.csv: set aside

    # ---- training -----------------------------------------------------------------------
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
                if not math.isfinite(row["loss"]):
                    raise TrainingDiverged(self._diverged(epoch + 1, row["loss"]))
                self.epoch = epoch + 1
                if self.validating:
                    row.update(self.scores(self.held_out, "val_"))
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
        """One pass over the batches: forward, backward, optimizer step for each.  Returns the epoch's
        row of metrics.csv (metrics.Measurements): its loss, each batch measured before its update."""
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

    def _diverged(self, epoch: int, loss: float) -> str:
        kept = "no checkpoint was written" if self.saved_epoch is None else f"{self.cfg.ckpt_path} keeps epoch {self.saved_epoch}"
        return (f"training diverged at epoch {epoch} (loss {loss}): try a smaller "
                f"{option('learning_rate')} than {self.cfg.learning_rate}; {kept}")

    # ---- test ---------------------------------------------------------------------------------
    def predict(self, x: np.ndarray | None = None) -> np.ndarray:
        """The net's output (out, N) on ``x`` (in, N), all the data when None."""
        with np.errstate(over="ignore"):
            return self.net.forward(self.x if x is None else x)[1]

    def mse(self, prediction: np.ndarray | None = None, points: np.ndarray | None = None) -> float:
        """The mean of (output - y)^2 over all the data, or over the mask ``points`` (N,); under
        cross-entropy, the mean cross-entropy (the loss the run is judged by)."""
        y = self.y if points is None else self.y[:, points]
        output = self.predict() if prediction is None else prediction
        if self.cfg.loss == "cross_entropy":
            return self.net.loss.forward(output, y)
        return float(np.mean((output - y) ** 2))

    def scores(self, points: np.ndarray, prefix: str = "") -> dict:
        """{loss (and accuracy under cross-entropy)} on the mask ``points`` (N,), keys with ``prefix``."""
        output = self.predict(self.x[:, points])
        found = {prefix + "loss": self.mse(output, points)}
        if self.cfg.loss == "cross_entropy":
            found[prefix + "accuracy"] = float(np.mean(predicted(output) == self.y[0, points]))
        return found

    def test(self) -> float:
        """Forward on all the data, print its MSE, save (and maybe show) the figures. Returns the MSE."""
        prediction = self.predict()                            # (out, N)
        mse = self.mse(prediction)
        everywhere = np.ones(self.y.shape[1], dtype=bool)
        for name, points in (("test", everywhere), ("validation", self.held_out)):
            if points.any():
                found = self.scores(points)
                what = (f"accuracy {found['accuracy']} cross-entropy {found['loss']}" if "accuracy" in found
                        else f"MSE {found['loss']}")
                where = "points" if name == "test" else "held-out points"
                print(f"{name}: {what} on {np.count_nonzero(points)} {where}" +
                      (f" after {self.epoch} epochs" if name == "test" else ""))
        report.draw_figures(self, prediction, mse)
        return mse

    # ---- checkpoint ---------------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the checkpoint holds (see code/run/state.py); TrainingDiverged if a weight is
        not finite, ConfigError if a fixed setting of cfg changed since the Trainer was built."""
        check_unchanged(self.cfg, self.fixed)
        params = state.finite(self.net.parameters(), self._diverged(self.epoch, float("nan")))
        return state.make_state(self.settings, self.epoch, self.iteration, self.imported, self.snapshots, params,
                                self.optimizer.state_dict())

    def save_models(self) -> None:
        """Append to metrics.csv, then write the checkpoint to cfg.ckpt_path (atomically), unless it
        holds this epoch already.  A metrics file that cannot be written never costs the checkpoint."""
        if self.saved_epoch == self.epoch:
            return
        saved = self.state()
        self.history.flush()                                   # a failure: one line, and on to the checkpoint
        save_checkpoint(self.cfg.ckpt_path, saved)
        self.saved_epoch = self.epoch
        if not self.cfg.quiet:
            print(f"save models finish: {self.cfg.ckpt_path} (epoch {self.epoch}, iteration {self.iteration})")

    def load_models(self) -> None:
        """Read cfg.ckpt_path into the net, the optimizer and the training state.
        CheckpointError if it is damaged or of another net, optimizer or data."""
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
        print(f"load models finish: {path} (epoch {self.epoch}, iteration {self.iteration})")
