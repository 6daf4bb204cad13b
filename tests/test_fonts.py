"""The Chinese pages' font advice (issue 28 §3): the lines code/docs/fonts.zh-CN.md gives, run as
written, draw a Chinese title with no missing glyph, wherever one of its fonts is installed."""

import re
import warnings
from pathlib import Path

import pytest
from conftest import ROOT
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

PAGE = Path(ROOT, "code", "docs", "fonts.zh-CN.md")


def the_page_s_lines() -> str:
    """The page's one ```python block."""
    (block,) = re.findall(r"(?ms)^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"))
    return block


def test_the_page_s_lines_draw_chinese_without_a_missing_glyph():
    import matplotlib.pyplot as plt
    names = re.search(r'= \[(.*)\]', the_page_s_lines()).group(1)
    wanted = [name.strip().strip('"') for name in names.split(",")][:-1]               # the Chinese fonts
    found = {font.name for font in font_manager.fontManager.ttflist}
    if not set(wanted) & found:
        pytest.skip(f"none of {wanted} is installed (Debian: apt-get install fonts-noto-cjk; .ci/run installs it)")
    saved = plt.rcParams["font.sans-serif"]
    try:
        exec(the_page_s_lines(), {})                                               # noqa: S102 -- the page's code
        fig = Figure()
        fig.add_subplot().set_title("正向传播和反向传播：损失 -0.5")
        with warnings.catch_warnings():
            warnings.simplefilter("error")                                         # a missing glyph warns
            FigureCanvasAgg(fig).draw()
    finally:
        plt.rcParams["font.sans-serif"] = saved
