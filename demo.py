"""Train the article's network on y = 20 sin(2 pi x), test it, plot it, save it.

    python demo.py                      # the defaults of code/config/default_config.py
    python demo.py --total-epochs 2000  # any key of the config, as a flag (see --help)
"""

import shlex
import sys
from code.config.default_config import _C
from code.config.flags import config_from_args
from code.config.validate import ConfigError
from code.scripts.checkpoint import CheckpointError
from code.scripts.trainer import Trainer, TrainingDiverged, TrainingInterrupted


def resume_command(argv: list, resume: bool) -> str:
    """The command that goes on where this one stopped: the same flags, resume on."""
    flags = [arg for arg in argv if arg != "--no-resume"]
    if not resume and "--resume" not in flags:
        flags.append("--resume")
    return shlex.join(["python", "demo.py", *flags])


def main(argv: list) -> int:
    cfg, check_gradients = config_from_args(_C, argv)        # a bad flag exits 2 here
    try:
        trainer = Trainer(cfg=cfg)
        if check_gradients:
            errors = trainer.check_gradients()
            for name, error in errors.items():
                print(f"{name}: relative error {error:.1e}")
            return 0 if max(errors.values()) < 1e-6 else 1
        trainer.train()
        trainer.test()
        trainer.save_models()
    except (ConfigError, CheckpointError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except TrainingInterrupted:
        print(f"interrupted after epoch {trainer.epoch}, checkpoint saved to {cfg.ckpt_path}; "
              f"to go on: {resume_command(argv, cfg.resume)}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"\naborted; {cfg.ckpt_path} holds the last whole checkpoint, if any", file=sys.stderr)
        return 130
    except OSError as error:                                  # a figure that cannot be written
        print(f"error: {error} (the training is saved in {cfg.ckpt_path})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
