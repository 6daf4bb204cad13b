"""Shared test helpers; the repo root on sys.path, so ``import code`` finds this project's package.

``python -m pytest`` puts the repo root on sys.path itself; plain ``pytest`` does not.
(The clash with the standard library's ``code`` module is handled in code/__init__.py.)
"""

import os
import shutil
import subprocess
import sys
import traceback

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

DEMO = os.path.join(ROOT, "demo.py")
FIGURES = ("result_img_path", "loss_img_path", "progress_img_path", "hidden_img_path", "gradients_img_path",
           "net_img_path")


def headless_env() -> dict:
    """A user's environment on a machine with no display: no DISPLAY, no MPLBACKEND."""
    hidden = ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND", "PYTHONWARNINGS")
    return {k: v for k, v in os.environ.items() if k not in hidden}


@pytest.fixture
def run_demo(tmp_path, monkeypatch, capsys):
    """run_demo(*flags) runs ``python demo.py FLAGS`` in tmp_path, headless; returns a CompletedProcess.

    In this process by default: ``demo.main(FLAGS)``, the very code ``python demo.py`` runs, without
    a second of imports for each (an exception that escapes main counts as exit 1 with its traceback,
    as Python would print it).  ``process=True`` starts a real ``python demo.py``: for what needs a
    process of its own (signals, kill -9, the interpreter's own start).
    The GIF and the figures (most of a short run's time) are left out unless ``animation=True`` or
    ``figures=True``: the tests of them ask for them (a path given in FLAGS wins: it comes later)."""
    def run(*flags, timeout=120, animation=False, figures=False, process=False):
        extra = [] if animation or "--animation-path" in flags else ["--animation-path", ""]
        if not figures:
            extra += [arg for key in FIGURES for arg in (f"--{key.replace('_', '-')}", "")]
        argv = [*extra, *map(str, flags)]
        if process:
            return subprocess.run([sys.executable, DEMO, *argv], cwd=tmp_path, env=headless_env(),
                                  capture_output=True, text=True, timeout=timeout, check=False)
        return main_in_process(argv, tmp_path, monkeypatch, capsys)
    return run


def main_in_process(argv: list, folder, monkeypatch, capsys) -> subprocess.CompletedProcess:
    """``demo.main(argv)`` in ``folder`` with no display, as a CompletedProcess."""
    import demo
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(folder)
    capsys.readouterr()
    try:
        status = demo.main(argv)
    except SystemExit as stop:                              # argparse: --help, or a bad flag
        status = stop.code if isinstance(stop.code, int) else 1
    except Exception:  # noqa: BLE001 -- what a real process would print and exit 1 with
        print(traceback.format_exc(), file=sys.stderr)
        status = 1
    out = capsys.readouterr()
    return subprocess.CompletedProcess(["demo.py", *argv], status, out.out, out.err)


@pytest.fixture
def run_main(run_demo):
    """The same as run_demo (in this process); kept for the tests that name it."""
    return run_demo


def load_ckpt(path) -> np.ndarray:
    """The checkpoint record, read the way the README says: plain NumPy, no pickle."""
    return np.load(path, allow_pickle=False)


@pytest.fixture
def edited_config(tmp_path, monkeypatch, capsys):
    """edited_config(edits, *flags): demo.main(FLAGS) in this process, in tmp_path, reading a copy of
    default_config.py at tmp_path/code/config/ edited as a reader would (old text -> new text)."""
    from code.config import flags

    def run(config_edits: dict, *argv) -> subprocess.CompletedProcess:
        path = tmp_path / "code" / "config" / "default_config.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = open(os.path.join(ROOT, "code", "config", "default_config.py"), encoding="utf-8").read()
        for old, new in config_edits.items():
            assert old in text, old
            text = text.replace(old, new)
        path.write_text(text)
        monkeypatch.setattr(flags, "DEFAULT_CONFIG", str(path))
        return main_in_process([*map(str, argv)], tmp_path, monkeypatch, capsys)
    return run


def copy_project(tmp_path, config_edits: dict) -> subprocess.CompletedProcess:
    """Copy demo.py and code/ into tmp_path, edit default_config.py (old text -> new text)
    as a reader would, and run ``python demo.py`` there, headless."""
    shutil.copytree(os.path.join(ROOT, "code"), tmp_path / "code", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(DEMO, tmp_path / "demo.py")
    path = tmp_path / "code" / "config" / "default_config.py"
    text = path.read_text()
    for old, new in config_edits.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    return subprocess.run([sys.executable, "demo.py"], cwd=tmp_path, env=headless_env(),
                          capture_output=True, text=True, check=False)
