"""The README's promises that can be checked mechanically."""

import os
import re
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


def test_pictures_exist():
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert os.path.getsize(os.path.join(ROOT, path)) > 10000, path


def test_the_pytorch_snippet_predicts_the_same_outputs(run_demo, tmp_path):
    torch = __import__("pytest").importorskip("torch")
    snippet = README.split("<!-- pytorch snippet -->\n```python\n", 1)[1].split("```", 1)[0]
    assert run_demo("--total-epochs", 30, "--layers-dim", 1, 30, 10, 1).returncode == 0
    names = {"__name__": "snippet"}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(snippet, "README.md", "exec"), names)  # noqa: S102 -- the README's code, as a reader runs it
    finally:
        os.chdir(cwd)
    from code.scripts.trainer import Trainer

    from test_demo import config
    ours = Trainer(config(tmp_path, resume=True, total_epochs=30, layers_dim=[1, 30, 10, 1])).predict()
    assert isinstance(names["model"], torch.nn.Sequential)
    import numpy as np
    np.testing.assert_allclose(names["prediction"], ours, rtol=1e-12, atol=1e-12)
