"""The step drawn as a graph (issue 29 §1): its numbers are the ones --explain prints."""

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from test_see import printed_arrays

from code.see import graph

NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


@pytest.fixture
def drawn(monkeypatch) -> list:
    """The Figures the graph saves, kept for the test (the file is still written)."""
    figures, save = [], graph.out.save_figure
    monkeypatch.setattr(graph.out, "save_figure", lambda fig, path: figures.append(fig) or save(fig, path))
    return figures


def printed_value(gid: str, arrays: dict, stdout: str) -> np.ndarray:
    """What --explain printed for the entry a text artist's gid names: "dw0[1,0]" is dw0's entry (1, 0)."""
    if gid == "J":
        return np.array([float(re.search(rf"loss: J = [^=]+= ({NUMBER})", stdout)[1])])
    name, index = re.fullmatch(r"(.+)\[(\d+(?:,\d+)?)\]", gid).groups()
    name = f"{name} before" if re.fullmatch(r"[Wb]\d", name) else name          # W0 as the update prints it
    rows = arrays[name]
    return np.atleast_1d(rows[tuple(int(v) for v in index.split(","))] if "," in index else rows[int(index)])


def check_against_the_print(fig, stdout: str) -> set:
    """Every number of the figure's named texts equals the printed one (4 significant digits); the names."""
    arrays, names = printed_arrays(stdout), set()
    for text in fig.axes[0].texts:
        gid = text.get_gid()
        if not gid or gid.startswith("path") or gid == "dJ":
            continue
        shown = np.array([float(v) for v in re.findall(NUMBER, text.get_text().split("=")[-1])])
        expected = printed_value(gid, arrays, stdout)
        np.testing.assert_allclose(shown, expected, rtol=6e-4, atol=2e-6, err_msg=gid)
        names.add(re.sub(r"\[[\d,]+\]$", "", gid))
    return names


def path_product(fig) -> tuple:
    """(the mean of the marked path's products, as written; the value written after them)."""
    terms = next(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "path terms")
    m = int(re.search(r"\(1/(\d+)\)", terms)[1])
    products = [np.prod([float(v) for v in re.findall(NUMBER, term)])
                for term in re.search(r"\[(.*)\]", terms)[1].split(" + ")]
    return sum(products) / m, float(terms.rsplit("= ", 1)[1])


@pytest.mark.parametrize("flags,factors,weight", [
    (("--layers-dim", 1, 2, 1), 4, "dw0"),
    (("--layers-dim", 1, 2, 2, 1), 4, "dw1"),
    (("--layers-dim", 2, 2, 3, "--loss", "cross_entropy", "--dataset", "spiral"), 3, "dw0")])
def test_the_graph_shows_the_printed_numbers_and_its_path_their_product(run_demo, tmp_path, drawn, flags, factors,
                                                                        weight):
    result = run_demo("--explain", "--no-resume", *flags)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "step graph saved: ./step.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step.png"]             # the only file written
    assert (tmp_path / "step.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    [fig] = drawn
    shown = check_against_the_print(fig, result.stdout)
    assert shown >= {"a[0]", "z[1]", "a[1]", "z[2]", "dz0", "dz1", "da[1]", "sigmoid'(z[1])", "W0", "W1",
                     "dw0", "dw1", "b0", "db0", "b1", "db1", "J", "y"}, shown
    product, written = path_product(fig)
    printed = printed_arrays(result.stdout)[weight][0, 0]
    assert abs(written - printed) <= 6e-4 * abs(printed) and abs(product - printed) <= 3e-3 * abs(printed)
    formula = next(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "path formula")
    assert formula.count("·") == factors - 1 and f"dW{weight[-1]}[0,0] = (1/3) Σₙ" in formula


def test_a_large_net_gets_a_line_and_no_graph(run_demo, tmp_path):
    result = run_demo("--explain", "--no-resume")                                # the default [1, 25, 1]
    assert result.returncode == 0
    assert ("step graph: not drawn: the graph draws at most 2 hidden layers of at most 3 units and 6 weights a "
            "layer, on at most 4 points (here [1, 25, 1] on 3)") in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_finished_runs_files_stay_byte_identical(run_demo, tmp_path):
    assert run_demo("--total-epochs", 3, "--layers-dim", 1, 2, 1, figures=True).returncode == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert "ckpt.npy" in before and "result.png" in before
    result = run_demo("--explain", "--layers-dim", 1, 2, 1, figures=True)       # resumes from ckpt.npy
    assert result.returncode == 0 and "at epoch 3" in result.stdout, result.stderr
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after.pop("step.png")[:4] == b"\x89PNG" and after == before


def test_a_graph_over_a_file_of_the_run_is_refused_before_anything(run_demo, tmp_path):
    result = run_demo("--explain", "--no-resume", "--layers-dim", 1, 2, 1, "--result-img-path", "step.png")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("error: --explain draws its step to ./step.png, which is result_img_path; "
                             "give result_img_path another name\n")
    assert list(tmp_path.iterdir()) == []


def test_every_line_of_code_the_derivation_ends_at_is_in_the_function_it_names():
    docs = Path(ROOT, "code", "docs")
    section = (docs / "math.md").read_text(encoding="utf-8").split("## The derivation", 1)[1].split("\n## ", 1)[0]
    linked = [line for line in section.splitlines() if "](../" in line]
    assert len(linked) == 11                                             # 10 "Code:" lines and the activations
    for line in linked:
        links = re.findall(r"\[`([\w.]+)`\]\(([^)]+)\)", line)
        snippets = re.findall(r"`([^`]+)`", re.sub(r"\[`[^`]+`\]\([^)]+\)", "", line))
        for name, target in links:
            owner, method = name.split(".")
            body = (docs / target).read_text(encoding="utf-8").split(f"class {owner}", 1)[1]
            body = body.split(f"def {method}(", 1)[1].split("\n    def ", 1)[0]       # that method's lines
            for snippet in snippets:
                assert snippet in body, (name, snippet)


def test_the_graph_is_shown_where_it_can_be_seen(run_demo, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(graph.out, "display_kind", lambda: "inline")             # as in a notebook
    monkeypatch.setattr(graph.out, "show", lambda figures, files: shown.append(files))
    assert run_demo("--explain", "--no-resume", "--layers-dim", 1, 2, 1).returncode == 0
    assert shown == [["./step.png"]]
