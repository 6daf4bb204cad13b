"""Every `python demo.py ...` command of the README and of every page, run as written (but for its
epochs, capped at the finished run's), one after another in a folder that holds a finished default
run: each succeeds, and the finished run's files stay byte for byte as they were."""

import glob
import os
import re
import shlex

from conftest import ROOT
from test_import_original import write_original_checkpoint

PAGES = ["README.md", *sorted(glob.glob(os.path.join("code", "docs", "*.md")))]
PLACEHOLDERS = ("...", "KEY=", "PATH", "DIR", "$(")   # $(...): a shell, not this test, runs it
EPOCHS = 3                                              # the finished run's; every command is capped at it


def documented_commands() -> list:
    """[(page, flags)] of each distinct ``python demo.py FLAGS`` in backticks or a code block."""
    found = {}
    for page in PAGES:
        text = open(os.path.join(ROOT, page), encoding="utf-8").read()
        for match in re.finditer(r"python demo\.py((?: [^`\n|]*)?)", text):
            flags = match.group(1).strip()
            if not any(mark in flags for mark in PLACEHOLDERS):
                found.setdefault(flags, page)
    return [(page, shlex.split(flags)) for flags, page in found.items()]


def root_files(folder) -> dict:
    """{name: bytes} of the files directly in ``folder``: the finished default run's."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_every_documented_command_runs_beside_a_finished_run_and_leaves_it_alone(run_demo, tmp_path):
    commands = documented_commands()
    assert len(commands) >= 20 and ("README.md", []) in commands
    assert run_demo("--total-epochs", EPOCHS, figures=True, animation=True).returncode == 0
    for source in ("old/ckpt.npy", "path/to/original/ckpt.npy"):
        os.makedirs(tmp_path / os.path.dirname(source), exist_ok=True)
        write_original_checkpoint(tmp_path / source, [1, 25, 1])
    (tmp_path / "gbk.csv").write_bytes("输入,目标\r\n0.5,1\r\n".encode("gbk"))          # as data.md's python -c makes it
    finished = root_files(tmp_path)
    for page, flags in commands:
        here = "--out" not in flags and "--compare" not in flags      # its figures are the finished run's
        result = run_demo(*flags, "--total-epochs", EPOCHS, figures=here, animation=here)
        refused_import = result.returncode == 2 and "exists already; --import-original never overwrites" in result.stderr
        assert result.returncode == 0 or refused_import, (page, flags, result.stderr)
        assert "Traceback" not in result.stderr, (page, flags, result.stderr)
        assert root_files(tmp_path) == finished, (page, flags)
