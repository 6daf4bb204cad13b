"""The progress line (issue 20): on a terminal only, the log byte for byte the same either way."""

import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

import pytest
from conftest import DEMO, headless_env

from code.see.progress import ProgressLine, clock, wanted

FLAGS = ["--total-epochs", "12000", "--log-every", "5000", "--no-resume", "--animation-path", "",
         "--result-img-path", "", "--loss-img-path", "", "--progress-img-path", "", "--hidden-img-path", "",
         "--gradients-img-path", "", "--net-img-path", ""]


def sized_terminal(columns: int) -> tuple:
    """A pseudo-terminal (master, slave) of 24 rows and ``columns`` columns."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    return master, slave


def run_in_a_terminal(folder, *flags, columns=200) -> bytes:
    """``python demo.py FLAGS`` with stdin, stdout and stderr on a pseudo-terminal of ``columns``
    columns: all it shows."""
    master, slave = sized_terminal(columns)
    process = subprocess.Popen([sys.executable, DEMO, *flags], stdin=slave, stdout=slave, stderr=slave,
                               cwd=folder, env=headless_env(), close_fds=True)
    os.close(slave)
    shown = b""
    while select.select([master], [], [], 60)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:                                   # the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=60) == 0, shown[-500:]
    os.close(master)
    return shown


def test_a_terminal_shows_the_line_and_a_pipe_gets_the_log_alone(tmp_path):
    shown = run_in_a_terminal(tmp_path, *FLAGS).decode()
    lines = re.findall(r"\r(epoch [\d,]+ / 12,000 .*?)\x1b\[K", shown)
    assert len(lines) >= 2, shown[:800]                  # rewritten in place, a few times a second
    assert re.fullmatch(r"epoch [\d,]+ / 12,000 +\d+%   loss \S+   \d+:\d\d elapsed   \d+:\d\d left   [\d,]+ epochs/s",
                        lines[-1]), lines[-1]
    assert shown.endswith("\r\x1b[K") or "\r\x1b[K" in shown.rsplit("epochs/s", 1)[1]   # gone at the end
    log_on_the_terminal = re.sub(r"\r(epoch [^\r]*?)?\x1b\[K", "", shown).replace("\r\n", "\n")
    (tmp_path / "piped").mkdir()
    piped = subprocess.run([sys.executable, DEMO, *FLAGS], cwd=tmp_path / "piped", env=headless_env(),
                           capture_output=True, text=True, check=True)
    assert "epochs/s" not in piped.stdout + piped.stderr and "\r" not in piped.stdout + piped.stderr
    assert log_on_the_terminal == piped.stdout                         # the log, byte for byte


def test_the_line_fits_an_80_column_terminal(tmp_path):
    shown = run_in_a_terminal(tmp_path, *FLAGS, columns=80).decode()
    lines = re.findall(r"\r(epoch [\d,]+ / 12,000 .*?)\x1b\[K", shown)
    assert lines and all(len(line) < 80 for line in lines), lines
    assert re.fullmatch(r"epoch [\d,]+ / 12,000 +\d+%   loss \S+   \d+:\d\d elapsed   \d+:\d\d left", lines[-1])


class SizedTerminal(io.StringIO):
    """What is written, kept; its size, that of a pseudo-terminal of ``columns`` columns."""

    def __init__(self, columns: int):
        super().__init__()
        self.master, self.slave = sized_terminal(columns)

    def fileno(self) -> int:
        return self.slave

    def close(self) -> None:
        """Close the terminal once (Python closes a stream again when it is collected); keep the text."""
        if self.master is not None:
            os.close(self.master)
            os.close(self.slave)
            self.master = None


@pytest.mark.parametrize("columns,parts", [(20, 1), (40, 2), (80, 5), (200, 6)])
def test_the_line_is_narrower_than_the_terminal(columns, parts):
    class Fake:
        epoch, after_epoch = 12_400, []
        cfg = type("C", (), {"total_epochs": 40_000})
        history = type("H", (), {"epochs": [1], "values": {"loss": [0.2013]}})
    terminal = SizedTerminal(columns)
    with ProgressLine(Fake(), stream=terminal, every=0.0) as line:
        line.start, line.first_epoch = line.start - 1.25, 0              # 9,920 epochs/s, 0:02 left
        line.update(Fake)
    terminal.close()
    drawn = terminal.getvalue().split("\r")[1].removesuffix("\x1b[K")
    assert len(drawn) < columns and len(drawn.split("   ")) == parts, drawn
    assert drawn.startswith("epoch 12,400 / 40,000"[:columns - 1])
    assert columns < 40 or "loss 0.2013" in drawn                        # the loss goes last


def test_no_progress_turns_it_off_and_quiet_prints_only_the_summary(tmp_path):
    shown = run_in_a_terminal(tmp_path, *FLAGS, "--no-progress", "--total-epochs", "3000").decode()
    assert "epochs/s" not in shown and "Epoch: 1/3000" in shown
    (tmp_path / "quiet").mkdir()
    quiet = run_in_a_terminal(tmp_path / "quiet", *FLAGS, "--quiet", "--total-epochs", "3000").decode()
    assert "epochs/s" not in quiet and "Epoch:" not in quiet and "save models finish" not in quiet
    assert "test: MSE" in quiet


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_only_a_terminal_asks_for_the_line():
    cfg = {"progress": True, "quiet": False}

    class Cfg(dict):
        __getattr__ = dict.__getitem__
    assert wanted(Cfg(cfg), Terminal()) and not wanted(Cfg(cfg), io.StringIO())
    assert not wanted(Cfg(cfg, progress=False), Terminal()) and not wanted(Cfg(cfg, quiet=True), Terminal())
    assert clock(59) == "0:59" and clock(3725) == "1:02:05"


def test_log_lines_print_above_the_line(capsys):
    class Fake:
        epoch, after_epoch = 0, []
        cfg = type("C", (), {"total_epochs": 10})
        history = type("H", (), {"epochs": [1], "values": {"loss": [2.5]}})
    terminal = Terminal()
    with ProgressLine(Fake(), stream=terminal, every=0.0) as line:
        Fake.epoch = 5
        line.update(Fake)
        print("Epoch: 6/10 Iteration: 15 Loss: 1.0")
    out = capsys.readouterr().out
    assert out == "Epoch: 6/10 Iteration: 15 Loss: 1.0\n"             # stdout: the log alone
    drawn = terminal.getvalue()
    assert drawn.startswith("\repoch 5 / 10    50%   loss 2.5") and drawn.endswith("\r\x1b[K")
    assert Fake.after_epoch == []                                      # the hook is gone with the line
