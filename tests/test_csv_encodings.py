"""CSV files as Excel saves them on Chinese Windows: GB18030 (GBK), a Chinese header, CRLF (issue 28)."""

import numpy as np
from test_faults import assert_one_line_error

from code.lib.Data.csv_data import encoding_of, read_csv

HEADER = "输入x,目标y"
ROWS = [(0.0, 1.5), (0.25, -2.0), (0.5, 3.25), (0.75, 0.125)]


def table_text(rows=ROWS) -> str:
    """The header and the rows, each line ending in CRLF as Excel writes it."""
    return "".join(f"{line}\r\n" for line in [HEADER, *(f"{x},{y}" for x, y in rows)])


def test_gbk_header_and_crlf_read_as_the_same_numbers(tmp_path):
    gbk, utf8 = tmp_path / "gbk.csv", tmp_path / "utf8.csv"
    gbk.write_bytes(table_text().encode("gb18030"))
    utf8.write_bytes(b"\xef\xbb\xbf" + table_text().encode("utf-8"))       # Excel's "CSV UTF-8", with its BOM
    assert gbk.read_bytes()[:4] == "输入".encode("gbk")                        # not UTF-8, as Excel writes it
    assert (encoding_of(str(gbk)), encoding_of(str(utf8))) == ("gb18030", "utf-8-sig")
    for path in (gbk, utf8):
        assert np.array_equal(read_csv(str(path), 2), np.array(ROWS))


def test_gbk_csv_trains_as_its_utf8_twin(run_demo, tmp_path):
    rows = [(x, 20 * np.sin(2 * np.pi * x)) for x in np.arange(0.0, 2.0, 0.01)]
    (tmp_path / "gbk.csv").write_bytes(table_text(rows).encode("gb18030"))
    (tmp_path / "utf8.csv").write_text(table_text(rows).replace("\r\n", "\n"), encoding="utf-8")
    for name in ("gbk", "utf8"):
        result = run_demo("--data-path", f"{name}.csv", "--total-epochs", 3, "--ckpt-path", f"{name}.npy")
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "gbk.npy").read_bytes() == (tmp_path / "utf8.npy").read_bytes()


def test_a_bad_cell_in_a_gbk_file_is_named(run_demo, tmp_path):
    text = table_text().replace("0.5,3.25", "0.5,三")
    (tmp_path / "d.csv").write_bytes(text.encode("gb18030"))
    assert_one_line_error(run_demo("--data-path", "d.csv"), "data_path 'd.csv' row 4 column 2: '三' is not a number")


def test_neither_utf8_nor_gb18030_is_one_line_naming_both(run_demo, tmp_path):
    (tmp_path / "d.csv").write_bytes(b"x,y\r\n0.5,1\r\n\xff\xfe,2\r\n")    # 0xFF starts no character in either
    before = sorted(p.name for p in tmp_path.iterdir())
    assert_one_line_error(run_demo("--data-path", "d.csv"), "data_path 'd.csv' is neither UTF-8 nor GB18030")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
