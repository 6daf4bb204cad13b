"""The README's promises that can be checked mechanically."""

import os
import re
from pathlib import Path

from conftest import ROOT

from code.config.default_config import _C

README = Path(ROOT, "README.md").read_text(encoding="utf-8")
PAGES = sorted(Path(ROOT).glob("README*.md")) + sorted(Path(ROOT, "code", "docs").glob("*.md"))


def links(page: Path) -> list:
    """(text, target path, anchor) of every relative link of a page, the path resolved from the page."""
    found = []
    for text, target in re.findall(r"\[([^\]]*)\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
        if "://" not in target and not target.startswith("#"):
            path, _, anchor = target.partition("#")
            found.append((text, (page.parent / path).resolve(), anchor))
    return found


def test_the_readme_is_short():
    assert len(README.encode("utf-8")) <= 12 * 1024


def test_every_link_of_the_readme_and_its_pages_leads_somewhere():
    for page in PAGES:
        for text, path, anchor in links(page):
            assert path.exists(), (page.name, text, path)
            assert "#L" not in f"#{anchor}", (page.name, text)           # files and names, not line numbers
            if anchor and path.suffix == ".md":
                headings = re.findall(r"(?m)^#+ (.*)$", path.read_text(encoding="utf-8"))
                slugs = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}   # as GitHub: letters of any script
                assert anchor in slugs, (page.name, text, anchor)


def test_every_code_link_names_what_is_in_the_file():
    named = 0
    for page in PAGES:
        for text, path, _ in links(page):
            if path.suffix == ".py" and text.startswith("`"):
                source = path.read_text(encoding="utf-8")
                for name in re.findall(r"`([A-Za-z_][\w.]*)", text):   # `Linear.forward` -> class and def
                    for part in name.split("."):
                        assert re.search(rf"(def|class) {part}\b|^{part} =", source, re.M), (page.name, name, path)
                        named += 1
    assert named >= 10


def test_every_config_key_is_documented():
    config_page = Path(ROOT, "code", "docs", "config.md").read_text(encoding="utf-8")
    for key in _C:
        assert f"| `{key}` |" in config_page, key


def test_pictures_exist():
    for page in PAGES:
        for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8")):
            assert os.path.getsize(page.parent / path) > 10000, (page.name, path)


def test_the_pytorch_snippet_predicts_the_same_outputs(run_demo, tmp_path):
    torch = __import__("pytest").importorskip("torch")
    snippet = Path(ROOT, "code", "docs", "experiments.md").read_text(encoding="utf-8").split("<!-- pytorch snippet -->\n```python\n", 1)[1].split("```", 1)[0]
    assert run_demo("--total-epochs", 30, "--layers-dim", 1, 30, 10, 1).returncode == 0
    names = {"__name__": "snippet"}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(snippet, "README.md", "exec"), names)  # noqa: S102 -- the README's code, as a reader runs it
    finally:
        os.chdir(cwd)
    from test_demo import config

    from code.scripts.trainer import Trainer
    ours = Trainer(config(tmp_path, resume=True, total_epochs=30, layers_dim=[1, 30, 10, 1])).predict()
    assert isinstance(names["model"], torch.nn.Sequential)
    import numpy as np
    np.testing.assert_allclose(names["prediction"], ours, rtol=1e-12, atol=1e-12)
