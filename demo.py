"""Train the article's network on y = 20 sin(2 pi x), test it, plot it, save it.

    python demo.py                      # the defaults of code/config/default_config.py
    python demo.py --total-epochs 2000  # any key of the config, as a flag (see --help)
"""

import contextlib
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))


def require(packages: tuple = ("numpy", "matplotlib", "easydict")) -> None:
    """Exit 2 with one line when this Python lacks a requirement (before any import needs it)."""
    missing = [name for name in packages if importlib.util.find_spec(name) is None]
    if missing:
        print(f"error: {', '.join(missing)} not installed for {sys.executable}: run the virtual environment's "
              f"python (.venv/bin/python demo.py), or pip install -r requirements.txt", file=sys.stderr)
        sys.exit(2)


def use_this_code_package() -> None:
    """Make ``import code`` this project's package, wherever demo is imported or run from.

    The package keeps the article's name, ``code``, which is also a standard-library module that
    pdb, IPython and Jupyter import first: once that module sits in sys.modules, ``import
    code.config`` fails ("'code' is not a package") whatever sys.path says.  So it is set aside
    here and ours imported from this folder; whoever imported the standard one (pdb) keeps it, and
    our package offers its names too (code/__init__.py), so pdb, %debug and code.interact work.
    """
    package = os.path.join(ROOT, "code")
    if getattr(sys.modules.get("code"), "__path__", None) == [package]:
        return                                                      # ours already
    spec = importlib.util.spec_from_file_location("code", os.path.join(package, "__init__.py"),
                                                  submodule_search_locations=[package])
    sys.modules["code"] = importlib.util.module_from_spec(spec)     # code.config, ... are found beside it
    spec.loader.exec_module(sys.modules["code"])


require()
use_this_code_package()

from easydict import EasyDict

from code.config.flags import config_from_args
from code.config.validate import COMMAND_LINE, ConfigError
from code.experiments.compare import compare
from code.lib.Data.csv_data import DataError
from code.lib.gradcheck import gradient_check
from code.run import folders, paths
from code.run.checks import CheckpointError
from code.run.import_original import import_checkpoint
from code.run.names import shell_word, shown
from code.run.runlock import CheckpointInUse
from code.run.signals import TrainingStopped, signal_name
from code.scripts.trainer import Trainer, TrainingDiverged
from code.see import progress
from code.see.explain import explain
from code.see.live import LiveWindow
from code.see.progress import ProgressLine


def command_line(flags: list) -> str:
    """``python demo.py FLAGS``, with the path to demo.py that works from the current folder."""
    return " ".join(map(shell_word, ["python", os.path.relpath(os.path.abspath(__file__)), *flags]))


def resume_command(argv: list, resume: bool) -> str:
    """The command that goes on where this one stopped: the same flags, resume on."""
    flags = [arg for arg in argv if arg != "--no-resume"]
    if not resume and "--resume" not in flags:
        flags.append("--resume")
    return command_line(flags)


def import_original(source: str, cfg, argv: list) -> int:
    """--import-original: convert the original's checkpoint into this run's (where --out and the
    other flags put it), print the command that trains on from it."""
    target = folders.placed(cfg, cfg.out)                             # where --out and the paths put it
    paths.check_distinct(target, {"--import-original": source})
    dims, params = import_checkpoint(source, target.ckpt_path)       # CheckpointError: one line
    trainer = Trainer(EasyDict(dict(cfg, layers_dim=dims, activation="sigmoid", resume=False, quiet=True)))
    path = trainer.cfg.ckpt_path
    trainer.net.load_parameters(params)
    trainer.imported = True
    with trainer.holding():
        trainer.save()
    print(f"imported {shown(source)}: the original program's checkpoint, layers_dim {dims}, sigmoid; "
          f"MSE {trainer.mse()} on {trainer.y.shape[1]} points")
    print(f"checkpoint written: {shown(path)} (epoch 0 of our count: the original does not record its epochs)")
    kept = [arg for arg in argv if arg not in ("--import-original", source, "--no-resume")]
    flags = ["--layers-dim", *map(str, dims), "--activation", "sigmoid"]
    print(f"to train on from it: {command_line(kept + flags)}")
    return 0


def check_gradients(trainer: Trainer) -> int:
    """Print backward()'s relative error against finite differences on the first 20 points."""
    errors = gradient_check(trainer.net, trainer.x[:, :20], trainer.y[:, :20])
    for name, error in errors.items():
        print(f"{name}: relative error {error:.1e}")
    return 0 if max(errors.values()) < 1e-6 else 1


def train_test_save(trainer: Trainer, argv: list) -> int:
    """The article's demo: train, test, save; a stop signal saves and prints how to go on."""
    cfg = trainer.cfg
    with trainer.holding():
        try:
            with (ProgressLine(trainer) if progress.wanted(cfg) else contextlib.nullcontext(),
                  LiveWindow(trainer) if cfg.live else contextlib.nullcontext()):
                trainer.train()
        except OSError as error:                          # metrics.csv cannot take the rows: no checkpoint either
            if isinstance(error, BrokenPipeError):
                raise
            print(f"error: {error}; {saved_note(trainer)}", file=sys.stderr)
            return 1
        except TrainingStopped as stopped:
            print(f"interrupted by {signal_name(stopped.signum)} after epoch {stopped.epoch}, checkpoint saved "
                  f"to {shown(cfg.ckpt_path)}; to go on: {resume_command(argv, cfg.resume)}", file=sys.stderr)
            return 128 + stopped.signum
        try:
            trainer.test()
        except BrokenPipeError:
            raise
        except OSError as error:                          # a figure that cannot be written
            print(f"error: {error}; {saved_note(trainer)}", file=sys.stderr)
            return 1
        trainer.save_models()
    return 0


def saved_note(trainer: Trainer) -> str:
    """What the checkpoint really holds, for a message after a failure."""
    path = trainer.cfg.ckpt_path
    if trainer.saved_epoch is None:
        return f"no checkpoint was written at {shown(path)}"
    if trainer.saved_epoch == trainer.epoch:
        return f"the training is saved in {shown(path)} (epoch {trainer.epoch})"
    return f"{shown(path)} holds epoch {trainer.saved_epoch}; epochs {trainer.saved_epoch + 1} to {trainer.epoch} are lost"


def main(argv: list) -> int:
    """``python demo.py ARGV``: the exit status; every message's advice names flags."""
    COMMAND_LINE["on"] = True
    try:
        return run(argv)
    finally:
        COMMAND_LINE["on"] = False


def run(argv: list) -> int:
    trainer = None
    try:
        cfg, actions = config_from_args(argv)                # a bad flag exits 2 here
        if actions["import_original"] is not None:
            return import_original(actions["import_original"], cfg, argv)
        if actions["compare"] is not None:
            compare(cfg, actions["compare"])
            return 0
        if actions["explain_samples"] < 1:
            raise ConfigError(f"--explain-samples must be a positive integer, got {actions['explain_samples']}")
        trainer = Trainer(cfg=cfg)
        if actions["explain"]:
            return explain(trainer, actions["explain_samples"])
        if actions["check_gradients"]:
            return check_gradients(trainer)
        return train_test_save(trainer, argv)
    except (ConfigError, DataError, CheckpointError, CheckpointInUse) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\naborted; {shown(trainer.cfg.ckpt_path) if trainer else 'the checkpoint'} holds the last whole checkpoint, if any",
              file=sys.stderr)
        return 130
    except BrokenPipeError:                                   # the reader of stdout went away (| head)
        sys.stdout = open(os.devnull, "w")                    # noqa: SIM115 -- nothing more to print
        return 1
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
