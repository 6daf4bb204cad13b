"""The live window (--live), for real: a Tk window on a virtual X server (Xvfb), and headless."""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
from conftest import ROOT, headless_env

WINDOW = r"""
import hashlib, json, os, sys
sys.path.insert(0, sys.argv[1])
os.chdir(sys.argv[2])
import matplotlib
matplotlib.use("TkAgg")                                # a real window on the X server in DISPLAY
import numpy as np
import demo                                            # noqa: F401 -- `code` is this project's package
from easydict import EasyDict
from code.config.default_config import _C
from code.scripts.trainer import Trainer
from code.see.live import LiveWindow

class Watched(LiveWindow):
    seen = []
    def update(self, trainer):
        before = self.redraws
        super().update(trainer)
        if self.redraws != before:                     # what the window shows, read off its canvas
            self.seen.append(hashlib.sha1(np.asarray(self.fig.canvas.buffer_rgba()).tobytes()).hexdigest())
            if sys.argv[3] == "close" and self.redraws == 2:
                self.plt.close(self.fig)               # the learner closes the window

cfg = EasyDict(dict(_C, total_epochs=4000, resume=False, show=False, animation_path="", quiet=True))
trainer = Trainer(cfg)
with Watched(trainer, every=0.05) as live:
    trainer.train()
print(json.dumps({"redraws": live.redraws, "distinct": len(set(live.seen)), "epoch": trainer.epoch,
                  "backend": matplotlib.get_backend(), "open_at_end": live.open}))
"""


@pytest.fixture(scope="module")
def display():
    """A virtual X server for the tests of this file; skipped, saying why, where there is none."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian's xvfb package; .ci/run installs it)")
    for number in range(91, 120):
        if not os.path.exists(f"/tmp/.X11-unix/X{number}") and not os.path.exists(f"/tmp/.X{number}-lock"):
            break
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not os.path.exists(f"/tmp/.X11-unix/X{number}") and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f":{number}"
    server.terminate()
    server.wait()


def run_window(display, folder, mode: str) -> dict:
    env = dict(headless_env(), DISPLAY=display)
    result = subprocess.run([sys.executable, "-c", WINDOW, ROOT, str(folder), mode], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0 and result.stderr == "", result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_window_opens_is_redrawn_while_training_and_changes_no_number(display, tmp_path, run_main):
    (tmp_path / "live").mkdir()
    shown = run_window(display, tmp_path / "live", "watch")
    assert shown["backend"].lower() == "tkagg" and shown["epoch"] == 4000
    assert shown["redraws"] >= 3 and shown["distinct"] >= 3              # its canvas, read between redraws, moved
    assert run_main("--total-epochs", 4000, "--quiet", "--no-resume", "--out", "plain").returncode == 0
    assert (tmp_path / "live" / "ckpt.npy").read_bytes() == (tmp_path / "plain" / "ckpt.npy").read_bytes()


def test_closing_the_window_ends_the_live_view_not_the_training(display, tmp_path):
    shown = run_window(display, tmp_path, "close")
    assert shown["redraws"] == 2 and shown["epoch"] == 4000 and shown["open_at_end"] is False


def test_without_a_display_live_says_so_in_one_line_and_trains(run_main, tmp_path):
    result = run_main("--live", "--total-epochs", 5, "--log-every", 1000)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines()[1] == "--live needs a display; training without it"
    assert int(__import__("numpy").load(tmp_path / "ckpt.npy")["epoch"]) == 5
