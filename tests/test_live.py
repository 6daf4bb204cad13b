"""The live window (--live), for real: a Tk window on a virtual X server (Xvfb), and headless."""

import json
import os
import re
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


def run_script(display, script: str, folder, *args: str) -> dict:
    """Run ``script`` in a process of its own on the virtual display, in ``folder``: it must end
    cleanly with nothing on stderr; returns the JSON of its last line."""
    env = dict(headless_env(), DISPLAY=display)
    result = subprocess.run([sys.executable, "-c", script, ROOT, str(folder), *args], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0 and result.stderr == "", result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_window(display, folder, mode: str) -> dict:
    return run_script(display, WINDOW, folder, mode)


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


KEYS = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
os.chdir(sys.argv[2])
import matplotlib
matplotlib.use("TkAgg")
import demo                                            # noqa: F401 -- `code` is this project's package
from easydict import EasyDict
from code.config.default_config import _C
from code.scripts.trainer import Trainer
from code.see.live import LiveWindow

cfg = EasyDict(dict(_C, total_epochs=10000, resume=False, show=False, animation_path="", quiet=True))
trainer = Trainer(cfg)
seen = {}
def press(key):                                        # a key event, as Tk delivers one from the keyboard
    widget = live.fig.canvas.get_tk_widget()
    widget.focus_force()
    widget.event_generate("<KeyPress>", keysym=key)
def note(name):
    seen[name] = [trainer.epoch, live.status.get_text(), live.delay]
def at(seconds, action):
    live.fig.canvas.get_tk_widget().after(int(seconds * 1000), action)
with LiveWindow(trainer, every=0.05) as live:
    for seconds, action in ((0.2, lambda: press("space")), (0.6, lambda: note("paused")),
                            (1.2, lambda: note("still paused")), (1.3, lambda: press("n")), (1.5, lambda: press("n")),
                            (1.8, lambda: note("two steps")), (1.9, lambda: press("minus")),
                            (2.0, lambda: note("slower")), (2.1, lambda: press("plus")),
                            (2.2, lambda: press("space")), (2.5, lambda: note("resumed"))):
        at(seconds, action)
    trainer.train()
print(json.dumps(dict(seen, end=trainer.epoch)))
"""


def test_the_keys_pause_step_slow_and_resume_the_training(display, tmp_path):
    seen = run_script(display, KEYS, tmp_path)
    paused_at = seen["paused"][0]
    assert seen["paused"][1] == f"paused after epoch {paused_at}"           # the window says so
    assert seen["still paused"][0] == paused_at                             # nothing trains while paused
    assert seen["two steps"][0] == paused_at + 2                            # n: one epoch each
    assert seen["slower"][2] > 0 and seen["slower"][0] == paused_at + 2    # -: a wait after each epoch
    assert seen["resumed"][0] > paused_at + 2 and seen["resumed"][2] == 0  # +, then space: full speed again
    assert seen["end"] == 10000


SPIRAL = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
os.chdir(sys.argv[2])
import matplotlib
matplotlib.use("TkAgg")
import numpy as np
import demo                                            # noqa: F401
from easydict import EasyDict
from code.config.default_config import _C
from code.scripts.trainer import Trainer
from code.see.live import LiveWindow

cfg = EasyDict(dict(_C, loss="cross_entropy", dataset="spiral", n_points=300, layers_dim=[2, 30, 3], activation="relu",
                    init="xavier", learning_rate=1.0, batch_size=300, total_epochs=1500, resume=False, show=False,
                    animation_path="", quiet=True))
trainer = Trainer(cfg)
maps = []
class Watched(LiveWindow):
    def redraw(self, trainer, now):
        super().redraw(trainer, now)
        maps.append(np.asarray(self.panels.map.get_array()).copy())
with Watched(trainer, every=0.05) as live:
    trainer.train()
print(json.dumps({"title": live.panels.title.get_text(), "redraws": len(maps),
                  "changed": float(np.abs(maps[-1] - maps[0]).max()), "kind": type(live.panels).__name__}))
"""


def test_a_two_input_classifier_s_window_draws_its_decision_map_as_it_changes(display, tmp_path):
    shown = run_script(display, SPIRAL, tmp_path)
    assert shown["kind"] == "MapPanels" and shown["redraws"] >= 3 and shown["changed"] > 0.1
    assert re.fullmatch(r"epoch \d+: cross-entropy [0-9.e-]+, accuracy \d+%", shown["title"]), shown["title"]
