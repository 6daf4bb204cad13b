"""Shared test helpers; the repo root on sys.path, so ``import code`` finds this project's package.

``python -m pytest`` puts the repo root on sys.path itself; plain ``pytest`` does not.
(The clash with the standard library's ``code`` module is handled in code/__init__.py.)
"""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

DEMO = os.path.join(ROOT, "demo.py")


def headless_env() -> dict:
    """A user's environment on a machine with no display: no DISPLAY, no MPLBACKEND."""
    hidden = ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND", "PYTHONWARNINGS")
    return {k: v for k, v in os.environ.items() if k not in hidden}


@pytest.fixture
def run_demo(tmp_path):
    """run_demo(*flags) runs ``python demo.py FLAGS`` in tmp_path, headless; returns the CompletedProcess.
    The GIF (about 3 s a run here) is left out unless ``animation=True``: the tests of it ask for it."""
    def run(*flags, timeout=120, animation=False):
        extra = [] if animation or "--animation-path" in flags else ["--animation-path", ""]
        return subprocess.run([sys.executable, DEMO, *extra, *map(str, flags)], cwd=tmp_path, env=headless_env(),
                              capture_output=True, text=True, timeout=timeout, check=False)
    return run


@pytest.fixture
def run_main(tmp_path, monkeypatch, capsys):
    """run_main(*flags) calls ``demo.main(FLAGS)`` in this process, in tmp_path; returns a
    CompletedProcess like run_demo's.  For the many bad-input cases that stop before any
    training: the same code as ``python demo.py``, without ~1.3 s of imports for each (each
    family of them also has a real ``python demo.py`` run, with run_demo)."""
    import demo

    def run(*flags):
        monkeypatch.chdir(tmp_path)
        try:
            status = demo.main(["--animation-path", "", *map(str, flags)])
        except SystemExit as stop:                          # argparse: --help, or a bad flag
            status = stop.code
        out = capsys.readouterr()
        return subprocess.CompletedProcess(["demo.py", *flags], status, out.out, out.err)
    return run


def load_ckpt(path) -> np.ndarray:
    """The checkpoint record, read the way the README says: plain NumPy, no pickle."""
    return np.load(path, allow_pickle=False)


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
