"""The Trainer: train, test, save and load, as in the article, plus exact resume."""

import math
import os
from code.config.validate import check_layers_fit, validate
from code.lib.Optim import make_optimizer
from code.scripts import checkpoint, data, metrics, plots
from code.scripts.checkpoint import load_checkpoint, save_checkpoint
from code.scripts.metrics import History
from code.scripts.network import network

import numpy as np


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
        self.dataset = data.make_dataset(cfg) if dataset is None else dataset
        self.x, self.y, self.held_out = data.prepare(self.dataset, cfg)   # (in, N), (out, N), (N,)
        check_layers_fit(cfg.layers_dim, self.x.shape[0], self.y.shape[0])
        self.cfg = cfg
        self.validating = bool(self.held_out.any())          # held-out points: a validation loss too
        self.loader = data.training_loader(self.x, self.y, self.held_out, cfg)   # batches of the others
        # RandomState(seed).random draws what np.random.seed(seed); np.random.random would.
        self.net = network(cfg.layers_dim, cfg.activation, cfg.init, rng=np.random.RandomState(cfg.seed))
        self.optimizer = make_optimizer(cfg, self.net.parameters())
        self.epoch = 0
        self.iteration = 0
        self.history = History(cfg.metrics_path, metrics.names(self.net, self.validating))
        self.snapshots = {}
        self.imported = False                                # the weights came from --import-original
        self.saved_epoch = None                              # the epoch the file at ckpt_path holds
        if cfg.resume and os.path.exists(cfg.ckpt_path):
            self.load_models()
        elif cfg.resume:
            print(f"no checkpoint at {cfg.ckpt_path}: training from scratch")

    # ---- training -----------------------------------------------------------------------
    def train(self, stop=None) -> None:
        """Train from epoch ``self.epoch`` + 1 to ``cfg.total_epochs``; checkpoint along the way.

        stop: called after every epoch; when it returns True, training saves and returns early.
        Raises TrainingDiverged (nothing non-finite is ever saved).
        """
        cfg = self.cfg
        if self.epoch >= cfg.total_epochs:
            print(f"already at epoch {self.epoch} of total_epochs {cfg.total_epochs}: nothing to train. "
                  f"To train further, raise total_epochs above {self.epoch} "
                  f"(e.g. --total-epochs {self.epoch + 1000})")
            return
        snapshot_epochs = plots.snapshot_epochs(cfg)
        # Overflow in exp is harmless in sigmoid (1 / (1 + inf) = 0); NaN is caught below.
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(self.epoch, cfg.total_epochs):
                loss = self.train_one_epoch(epoch)
                if not math.isfinite(loss):
                    self._diverged(epoch + 1, loss)
                self.epoch = epoch + 1
                row = metrics.measure(self.net, *self.last_batch, loss)
                if self.validating:
                    row["val_loss"] = self.validation_mse()
                self.history.append(self.epoch, row)
                if self.epoch in snapshot_epochs:
                    self.snapshots[self.epoch] = checkpoint.flat(self.net.parameters())
                if stop is not None and stop():
                    self.save_models()
                    return
                if self.epoch % cfg.ckpt_every == 0 or self.epoch == cfg.total_epochs:
                    self.save_models()

    def train_one_epoch(self, epoch: int) -> float:
        """One pass over the batches: forward, backward, optimizer step for each.

        Returns the epoch's loss: the mean of (output - y)^2 over all its
        samples, each batch measured before its own update.
        """
        cfg, net = self.cfg, self.net
        log = epoch % cfg.log_every == 0
        if cfg.shuffle:                                      # the same orders after a resume
            self.loader.rng = np.random.default_rng([cfg.seed, epoch])
        sum_of_squares = 0.0
        dz_last = net.grad_names[-1][0]                      # "dz{L}": output - y
        for batch in self.loader:
            x, y = batch["x"], batch["y"]                      # (in, m), (out, m)
            caches, output = net.forward(x)
            grads = net.backward(caches, output, y)
            residual = grads[dz_last]                          # output - y, already computed by backward
            sum_of_squares += np.vdot(residual, residual)      # sum of its squares: cheaper than np.mean
            if log:
                loss = np.mean((output - y) ** 2)              # the article's batch loss
                print(f"Epoch: {epoch + 1}/{cfg.total_epochs} Iteration: {self.iteration} Loss: {loss}")
            self.optimizer.step(grads)                         # W_i -= lr * dw_i, b_i -= lr * db_i (sgd)
            self.iteration += 1
        self.last_batch = caches, grads                        # for metrics.measure
        return float(sum_of_squares / self.loader.y.size)

    def _diverged(self, epoch: int, loss: float) -> None:
        kept = (f"{self.cfg.ckpt_path} keeps epoch {self.saved_epoch}" if self.saved_epoch is not None
                else "no checkpoint was written")
        raise TrainingDiverged(f"training diverged at epoch {epoch} (loss {loss}): try a smaller "
                               f"--learning-rate than {self.cfg.learning_rate}; {kept}")

    def predict(self, params: dict | None = None) -> np.ndarray:
        """The net's output on the whole dataset, (out, N); with ``params``, of a net holding those."""
        net = self.net
        if params is not None:
            # A net holding ``params``; its own initial draw leaves np.random's sequence alone.
            net = network(self.cfg.layers_dim, self.cfg.activation, rng=np.random.default_rng(0))
            net.load_parameters(params)
        with np.errstate(over="ignore"):
            return net.forward(self.x)[1]

    def mse(self, prediction: np.ndarray | None = None) -> float:
        """The mean of (output - y)^2 over all the data; ``prediction``: (out, N), if already made."""
        prediction = self.predict() if prediction is None else prediction
        return float(np.mean((prediction - self.y) ** 2))

    def validation_mse(self) -> float:
        """The MSE on the held-out points (val_fraction of them, never trained on): a forward on those only."""
        with np.errstate(over="ignore"):
            output = self.net.forward(self.x[:, self.held_out])[1]
        return float(np.mean((output - self.y[:, self.held_out]) ** 2))

    # ---- test and figures -------------------------------------------------------------------
    def test(self) -> float:
        """Forward on all the data, print its MSE, save (and maybe show) the figures. Returns the MSE."""
        prediction = self.predict()                            # (out, N)
        mse = self.mse(prediction)
        print(f"test: MSE {mse} on {self.y.shape[1]} points after {self.epoch} epochs")
        if self.validating:
            print(f"validation: MSE {self.validation_mse()} on {np.count_nonzero(self.held_out)} held-out points")
        plots.draw_figures(self, prediction, mse)
        return mse

    # ---- checkpoint ---------------------------------------------------------------------------
    def settings(self) -> dict:
        """How this run trains, in the checkpoint's form (see checkpoint.settings)."""
        return checkpoint.settings(self.cfg, self.net, self.x, self.y, self.held_out)

    def state(self) -> dict:
        """Everything the checkpoint holds (see code/scripts/checkpoint.py).
        TrainingDiverged if a weight is not finite: nothing non-finite is ever saved."""
        params = self.net.parameters()
        if not all(np.all(np.isfinite(p)) for p in params.values()):
            self._diverged(self.epoch, float("nan"))
        return checkpoint.make_state(self.settings(), self.epoch, self.iteration, self.imported,
                                     self.snapshots, params, self.optimizer.state_dict())

    def save_models(self) -> None:
        """Flush metrics.csv, then write the checkpoint to cfg.ckpt_path (atomically), unless it holds
        this epoch already."""
        if self.saved_epoch == self.epoch:
            return
        state = self.state()
        self.history.flush()
        save_checkpoint(self.cfg.ckpt_path, state)
        self.saved_epoch = self.epoch
        print(f"save models finish: {self.cfg.ckpt_path} (epoch {self.epoch}, iteration {self.iteration})")

    def load_models(self) -> None:
        """Read cfg.ckpt_path into the net, the optimizer and the training state.
        CheckpointError if it is damaged or of another net, optimizer or data."""
        path = self.cfg.ckpt_path
        state = load_checkpoint(path)
        for note in checkpoint.resume_notes(path, state, self.settings()):
            print(note)
        self.net.load_parameters(state)
        self.optimizer.load_state_dict(checkpoint.optimizer_state(state))
        self.epoch, self.iteration = int(state["epoch"]), int(state["iteration"])
        self.imported = bool(state["imported"])
        self.snapshots = dict(zip(state["snapshot_epochs"].tolist(), state["snapshot_params"]))
        note = self.history.resume(self.epoch)
        if note:
            print(note)
        self.saved_epoch = self.epoch
        print(f"load models finish: {path} (epoch {self.epoch}, iteration {self.iteration})")
