"""The Trainer: train, test, save and load, as in the article, plus exact resume."""

import contextlib
import copy
import os
import sys

import numpy as np
from easydict import EasyDict

from code.config.validate import check_unchanged, fixed_settings, option, validate
from code.lib.chunks import predict
from code.lib.Data.prepare import prepare_data
from code.lib.Loss import describe, evaluate
from code.lib.Optim import make_optimizer
from code.run import folders, metrics, snapshots, state
from code.run.atomic import with_extension
from code.run.checkpoint import load_checkpoint, save_checkpoint
from code.run.checks import CheckpointError, resume_notes
from code.run.names import shown
from code.run.paths import check_distinct
from code.run.runlock import RunLock
from code.run.signals import StopOnSignal, TrainingStopped
from code.run.state import TrainingDiverged
from code.scripts.Dataset import make_dataset
from code.scripts.network import make_network
from code.see import report


class Trainer:
    """Trains ``network(cfg.layers_dim)`` on ``Dataset()`` (or ``dataset``: anything with ``x`` (in, N)
    and ``y`` (out, N) arrays) with the configured optimizer; cfg: the keys of default_config.py's _C.
    State: ``epoch``, ``iteration``, ``history``, ``snapshots``; weights as np.random.seed(seed), np.random.random.

    Your ``cfg`` is never changed.  ``self.cfg`` is the Trainer's checked copy, with every path it
    writes (code/run/folders.py): it is taken anew from your cfg at each train(), test() and
    save_models(), checked as on the first build (a changed key that defines the run is refused).
    The Trainer owns its run's files: it locks them while it writes (runlock.py), and it never
    replaces a checkpoint it did not load or write last."""

    def __init__(self, cfg, dataset=None):
        self.source, checked = cfg, checked_copy(cfg)          # ConfigError on a bad value
        self.dataset = make_dataset(checked) if dataset is None else dataset
        self.x, self.y, self.held_out, self.loader = prepare_data(self.dataset, checked)   # (in, N), (out, N), (N,)
        self.net = make_network(checked, rng=np.random.RandomState(checked.seed))
        self.optimizer = make_optimizer(checked, self.net.parameters())
        self.settings = state.settings(checked, self.net, self.x, self.y, self.held_out)   # what the checkpoint records
        self.out, note = folders.choose_out(checked, self.settings, state.run_identity(self.settings))
        if note:
            print(note)
        self.cfg = self.placed(checked)
        self.fixed = fixed_settings(self.cfg)                # what a built Trainer keeps
        self.epoch, self.iteration = 0, 0
        self.validating = bool(self.held_out.any())          # held-out points: a validation loss too
        self.history = metrics.History(self.cfg.metrics_path, metrics.names(self.net, self.validating))
        self.snapshots, self.after_epoch = {}, []            # {epoch: flat parameters}; called after each epoch
        self.stop_requested = lambda: False                  # while training: True once a stop signal came
        self.after_batch = []                                # called as f(trainer, batches done, batches) in an epoch
        self.imported, self.saved_epoch = False, None        # from --import-original; the epoch ckpt_path holds
        self.last_saved, self.held = copy.deepcopy(self.state()), None     # what a second Ctrl-C puts back; the lock, when held
        self.seen = None                                     # the checkpoint file as this Trainer left it
        if self.cfg.resume and os.path.exists(self.cfg.ckpt_path):
            self.load_models()
        elif self.cfg.resume:
            print(f"no checkpoint at {shown(self.cfg.ckpt_path)}: training from scratch")

    def placed(self, cfg) -> EasyDict:
        """``cfg`` with this run's paths, checked: every name fits, no file written twice, no input overwritten."""
        cfg = folders.placed(cfg, self.out)
        check_distinct(cfg)
        return cfg

    def refresh(self) -> None:
        """Take the settings anew from the caller's cfg, checked as on the first build (ConfigError)."""
        cfg = self.placed(checked_copy(self.source))
        check_unchanged(cfg, self.fixed)                     # ConfigError: a changed learning_rate, ...
        self.cfg = cfg

    @contextlib.contextmanager
    def holding(self):
        """Hold the run's lock (CheckpointInUse when another run has it); nested calls hold it once."""
        if self.held is not None:
            yield
            return
        cfg = self.cfg
        outputs = [cfg[key] for key in folders.OUTPUT_KEYS if cfg[key]]
        with RunLock(cfg.ckpt_path, cfg.metrics_path, outputs=[with_extension(p, ".png") for p in outputs]) as self.held:
            try:
                yield
            finally:
                self.held = None

    def owns_checkpoint(self) -> None:
        """CheckpointError unless the file at ckpt_path is the one this Trainer loaded or wrote last."""
        if file_signature(self.cfg.ckpt_path) in (None, self.seen):
            return                                            # none there (any more), or the one we know
        path = self.cfg.ckpt_path
        if self.seen is None:
            raise CheckpointError(f"checkpoint {shown(path)} exists: this run does not replace it. Go on from it with "
                                  f"{option('resume', True)}, or move it away to train afresh, or choose {option('out')}")
        raise CheckpointError(f"checkpoint {shown(path)} was replaced by another run since this Trainer loaded it: "
                              "not overwritten. Build a new Trainer to go on from it")

    def train(self) -> None:
        """Train from epoch ``self.epoch`` + 1 to ``cfg.total_epochs``; checkpoint along the way. Ctrl-C
        (SIGTERM, SIGHUP) finishes the epoch, saves, raises TrainingStopped; TrainingDiverged on NaN.
        A second Ctrl-C stops at once and puts the Trainer back at its last checkpoint."""
        self.refresh()
        cfg = self.cfg
        if self.epoch >= cfg.total_epochs:
            print(f"already at epoch {self.epoch} of total_epochs {cfg.total_epochs}: nothing to train. To train "
                  f"further, raise total_epochs (--total-epochs {self.epoch + 1000}, or cfg.total_epochs)")
            return
        with self.holding():
            self.owns_checkpoint()
            try:
                self.train_epochs(cfg)
            except TrainingStopped:                            # the first Ctrl-C: saved at a whole epoch
                raise
            except KeyboardInterrupt:
                self.restore(self.last_saved)
                raise

    def train_epochs(self, cfg) -> None:
        keep = snapshots.snapshot_epochs(cfg)
        # Overflow in exp is harmless in sigmoid (1 / (1 + inf) = 0); NaN is caught below.
        with StopOnSignal() as stop, np.errstate(over="ignore", invalid="ignore"):
            self.stop_requested = stop.requested             # the live window's pause ends on it
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
                    self.save()
                if stop.requested():
                    raise TrainingStopped(stop.signum, self.epoch)

    def restore(self, saved: dict) -> None:
        """Put the net, the optimizer and the counts back to ``saved`` (a state()), and say so."""
        self.net.load_parameters(saved)
        self.optimizer.load_state_dict(state.optimizer_state(saved))
        self.epoch, self.iteration = int(saved["epoch"]), int(saved["iteration"])
        self.snapshots = {e: s for e, s in self.snapshots.items() if e <= self.epoch}
        self.history.cut(self.epoch)
        print(f"stopped mid-epoch: the Trainer is back at epoch {self.epoch}, its last checkpoint "
              "(or its initial weights); train() goes on from there", file=sys.stderr)

    def train_one_epoch(self, epoch: int) -> dict:
        """Forward, backward and a step for each batch; returns the epoch's row of metrics.csv."""
        cfg, net = self.cfg, self.net
        log = epoch % cfg.log_every == 0 and not cfg.quiet
        if cfg.shuffle:                                      # the same orders after a resume
            self.loader.rng = np.random.default_rng([cfg.seed, epoch])
        measured = metrics.Measurements(net, detailed=metrics.measured(epoch + 1))
        for done, batch in enumerate(self.loader, 1):
            x, y = batch["x"], batch["y"]                      # (in, m), (out, m)
            caches, output = net.forward(x)                    # output: (out, m)
            grads = net.backward(caches, output, y)            # dz{i}, dw{i}, db{i}
            measured.add(caches, output, y, grads)
            if log:                                            # the article's batch loss
                loss = net.loss.forward(output, y) if measured.classify else np.mean((output - y) ** 2)
                print(f"Epoch: {epoch + 1}/{cfg.total_epochs} Iteration: {self.iteration} Loss: {loss}")
            self.optimizer.step(grads)                         # W_i -= lr * dw_i, b_i -= lr * db_i (sgd)
            self.iteration += 1
            for watch in self.after_batch:                     # the progress line, within a long epoch
                watch(self, done, len(self.loader))
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
        """Forward on all the data, print its loss (training and held-out points apart), save (and
        maybe show) the figures. Returns the loss on all the points."""
        self.refresh()
        prediction = self.predict()                            # (out, N), once for the lines and the figures
        found = self.scores(prediction=prediction)
        if self.validating:
            train = ~self.held_out
            print(f"test: {describe(self.scores(train, prediction[:, train]))} on {np.count_nonzero(train)} "
                  f"training points after {self.epoch} epochs")
            print(f"validation: {describe(self.scores(self.held_out, prediction[:, self.held_out]))} on "
                  f"{np.count_nonzero(self.held_out)} held-out points")
        else:
            print(f"test: {describe(found)} on {self.y.shape[1]} points after {self.epoch} epochs")
        with self.holding():
            report.draw_figures(self, prediction, found)
        return found["loss"]

    def state(self) -> dict:
        """Everything the checkpoint holds (code/run/state.py); never a non-finite weight."""
        params = state.finite(self.net.parameters(), state.diverged(self.epoch, "nan", self.cfg, self.saved_epoch))
        return state.make_state(self.settings, self.epoch, self.iteration, self.imported, self.snapshots, params,
                                self.optimizer.state_dict())

    def save_models(self) -> None:
        """Save now (see save), with the settings taken anew from your cfg."""
        self.refresh()
        with self.holding():
            self.save()

    def save(self) -> None:
        """Append to metrics.csv, then write the checkpoint, atomically: a failure of either leaves
        the previous checkpoint and the rows it relies on (OSError, CheckpointError)."""
        if self.saved_epoch == self.epoch and self.seen is not None:
            return
        saved = self.state()
        with self.holding():
            self.owns_checkpoint()
            self.history.flush()
            save_checkpoint(self.cfg.ckpt_path, saved)
            self.seen, self.saved_epoch = file_signature(self.cfg.ckpt_path), self.epoch
            self.last_saved = copy.deepcopy(saved)
        if not self.cfg.quiet:
            print(f"save models finish: {shown(self.cfg.ckpt_path)} (epoch {self.epoch}, iteration {self.iteration})")

    def load_models(self) -> None:
        """Read cfg.ckpt_path into the net, the optimizer and the training state (CheckpointError: unusable)."""
        path = self.cfg.ckpt_path
        self.seen = file_signature(path)
        saved = load_checkpoint(path)
        for note in resume_notes(path, saved, self.settings, warm=self.cfg.warm_start):
            print(note)
        self.net.load_parameters(saved)
        if str(saved["optimizer"]) == self.cfg.optimizer:
            self.optimizer.load_state_dict(state.optimizer_state(saved))
        self.epoch, self.iteration, self.imported = int(saved["epoch"]), int(saved["iteration"]), bool(saved["imported"])
        self.snapshots = dict(zip(saved["snapshot_epochs"].tolist(), saved["snapshot_params"]))
        note = self.history.load(self.epoch, state.run_identity(saved))   # metrics.csv's rows up to the epoch
        if note:
            print(note)
        self.saved_epoch, self.last_saved = self.epoch, copy.deepcopy(self.state())
        print(f"load models finish: {shown(path)} (epoch {self.epoch}, iteration {self.iteration})")


def checked_copy(cfg) -> EasyDict:
    """A deep copy of ``cfg``, checked (validate: ConfigError on a bad value); ``cfg`` is left as it is."""
    cfg = EasyDict(copy.deepcopy(dict(cfg)))
    validate(cfg)
    return cfg


def file_signature(path: str) -> tuple | None:
    """(device, inode, size, modification time) of the file at ``path``; None when there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns
