"""The tour notebook, run by a real Jupyter kernel (nbclient, ipykernel), twice in the same folder."""

import os
import re
import shutil

import pytest
from conftest import ROOT

NOTEBOOK = os.path.join(ROOT, "code", "docs", "tour.ipynb")
nbformat = pytest.importorskip("nbformat", reason="nbformat is a test requirement: pip install -r tests/requirements.txt")
nbclient = pytest.importorskip("nbclient", reason="nbclient is a test requirement: pip install -r tests/requirements.txt")
pytest.importorskip("ipykernel", reason="ipykernel is a test requirement: pip install -r tests/requirements.txt")


def test_the_notebook_is_stored_with_its_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code) >= 7 and all(cell.outputs for cell in code)          # it reads as it is, on the repository's page
    assert "/work/" not in open(NOTEBOOK, encoding="utf-8").read()         # no path of the machine that ran it


def run(folder) -> list:
    """Execute the notebook in ``folder``/code/docs with a real kernel; [(text, number of images)] per code cell."""
    notebook = nbformat.read(folder / "code" / "docs" / "tour.ipynb", as_version=4)
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        cell.outputs = []                                                  # a fresh run, not the stored one
    env_display = os.environ.pop("DISPLAY", None)                     # a headless kernel, as in CI
    try:
        nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(folder / "code" / "docs")}}).execute()
    finally:
        if env_display is not None:
            os.environ["DISPLAY"] = env_display
    return shown_by(notebook)


def shown_by(notebook) -> list:
    """[(text, number of images)] per code cell of an executed notebook, compare's seconds left out."""
    shown = []
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        text += "".join(o.data.get("text/plain", "") for o in cell.outputs if o.output_type == "execute_result")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (cell.source, errors[0].get("evalue"))
        images = sum("image/png" in o.get("data", {}) for o in cell.outputs)
        shown.append((re.sub(r" +\d+\.\d\d\n", "\n", text), images))          # compare's seconds column
    return shown


def test_the_tour_runs_in_a_kernel_shows_its_figures_inline_and_runs_again_the_same(tmp_path):
    shutil.copytree(os.path.join(ROOT, "code"), tmp_path / "code", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(os.path.join(ROOT, "demo.py"), tmp_path / "demo.py")
    first = run(tmp_path)
    imports, train, step, hidden, gradients, comparison, resume, command_line = first
    assert imports[0].strip() == "True"                                      # the package `code` is ours
    assert "test: MSE" in train[0] and train[1] == 1                         # the fit, once: each figure in its cell
    assert "forward (a[0] = x, 3 samples as columns)" in step[0] and "gradient check" in step[0]
    assert hidden[1] == 1 and gradients[1] == 1
    assert "compare optimizer: 2 runs" in comparison[0] and comparison[1] == 1
    assert "load models finish" in resume[0] and resume[0].splitlines()[-1].startswith("2000 ")
    assert "test: MSE" in command_line[0]
    assert {"ckpt.npy", "cli", "compare.png", "metrics.csv"} <= set(os.listdir(tmp_path / "runs" / "tour"))
    assert run(tmp_path) == first                                            # "Restart & Run All"
    stored = shown_by(nbformat.read(NOTEBOOK, as_version=4))
    assert [words(text) for text, _ in stored] == [words(text) for text, _ in first]        # the stored outputs
    assert [images for _, images in stored] == [images for _, images in first]             # are a fresh run's,
    for (text, _), (fresh, _) in zip(stored, first):                                       # the numbers within 1 %:
        assert numbers(text) == pytest.approx(numbers(fresh), rel=1e-2)                    # CPUs differ in exp's last bits,
                                                                                           # and 3,000 Adam steps carry that far

NUMBER = r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?"


def words(text: str) -> str:
    """The text with every number replaced by '#'."""
    return re.sub(NUMBER, "#", text)


def numbers(text: str) -> list:
    """Every number of the text, in order."""
    return [float(match.group()) for match in re.finditer(NUMBER, text)]
