"""The README's promises that can be checked mechanically."""

import os
import re
import subprocess
from code.config.default_config import _C
from pathlib import Path

from conftest import ROOT

README = Path(ROOT, "README.md").read_text(encoding="utf-8")


def test_every_code_link_points_at_the_line_it_quotes():
    links = re.findall(r"\[`([^`]+)`\]\((code/[^)#]+)#L(\d+)\)", README)
    assert len(links) >= 12
    for snippet, path, line in links:
        lines = Path(ROOT, path).read_text(encoding="utf-8").splitlines()
        assert snippet in lines[int(line) - 1], (snippet, path, line)


def test_every_config_key_is_documented():
    for key in _C:
        assert f"| `{key}` |" in README, key


def test_ci_runs_the_readme_test_command():
    command = README.split("<!-- test command -->\n```\n", 1)[1].split("\n", 1)[0]
    assert "pip install -r requirements.txt" in command and "python -m pytest" in command
    ci = Path(ROOT, ".ci", "run").read_text(encoding="utf-8")
    assert f"TEST_COMMAND='{command}'" in ci
    extracted = subprocess.run(
        ["awk", '/<!-- test command -->/ {found=1; next} found && /^```/ {getline; print; exit}', "README.md"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert extracted == command                          # what .ci/run compares its command with


def test_pictures_exist():
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert os.path.getsize(os.path.join(ROOT, path)) > 10000, path
