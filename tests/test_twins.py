"""The Chinese edition (issue 28): each English page that teaches has a Chinese twin, and the twins
cannot drift. Each pair holds the same commands, pictures, links, config keys and error lines, and
each page links to its twin."""

import re
from pathlib import Path

import pytest
from conftest import ROOT

from code.config.validate import KINDS

TWINS = [("README.md", "README.zh-CN.md")] + [
    (f"code/docs/{name}.md", f"code/docs/{name}.zh-CN.md") for name in ("math", "see", "config", "errors", "checkpoint", "classification", "experiments", "performance", "notebook", "data")]


def text(page: str) -> str:
    return Path(ROOT, page).read_text(encoding="utf-8")


def code_spans(page: str) -> list:
    """Every code block's lines and every inline `code` of a page."""
    source = text(page)
    blocks = re.findall(r"(?ms)^```[^\n]*\n(.*?)^```", source)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"(?ms)^```.*?^```", "", source))
    return [line.strip() for block in blocks for line in block.splitlines()] + inline


def commands(page: str) -> set:
    """The ``python demo.py ...`` commands a page shows, "$ " and all."""
    return {span.removeprefix("$ ") for span in code_spans(page) if span.removeprefix("$ ").startswith("python")}


def pictures(page: str) -> list:
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text(page))


def links(page: str) -> set:
    """Relative link targets (files, without their #anchor: each page's headings are in its own language),
    a twin's ``.zh-CN.md`` read as its English page; the twin link left out."""
    targets = {target.partition("#")[0].replace(".zh-CN.md", ".md") for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", text(page))
               if "://" not in target}
    own = Path(page).name.replace(".zh-CN.md", ".md")
    return {t for t in targets if t and Path(t).name != own}


def keys(page: str) -> set:
    return {span for span in code_spans(page) if span in KINDS}


def error_lines(page: str) -> set:
    return {span for span in code_spans(page) if span.startswith(("error:", "metrics:", "warm start:"))}


@pytest.mark.parametrize("english,chinese", TWINS)
def test_each_twin_holds_what_its_english_page_holds(english, chinese):
    assert Path(ROOT, chinese).exists(), chinese
    for what in (commands, pictures, links, keys, error_lines):
        assert what(chinese) == what(english), (what.__name__, english)


@pytest.mark.parametrize("english,chinese", TWINS)
def test_each_page_links_its_twin(english, chinese):
    assert f"]({Path(chinese).name})" in text(english), english
    assert f"]({Path(english).name})" in text(chinese), chinese


def test_the_chinese_readme_names_the_article_and_the_original_repository():
    for page in ("README.md", "README.zh-CN.md"):
        assert "Python实现深度学习系列之【正向传播和反向传播】" in text(page)
        assert "github.com/nickhuang1996/HJLNet" in text(page)


def test_the_glossary_has_the_articles_terms_beside_their_english():
    glossary = text("README.zh-CN.md")
    for chinese, english in (("正向传播", "forward propagation"), ("反向传播", "backpropagation"), ("损失", "loss"),
                             ("学习率", "learning rate"), ("权重", "weight"), ("偏置", "bias"),
                             ("激活函数", "activation function"), ("梯度", "gradient"), ("链式法则", "chain rule")):
        assert re.search(rf"\| *{chinese} *\| *{english}", glossary), chinese
