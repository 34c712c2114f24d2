"""The one tabular writer (gridgov.core.tabular): streamed CSV with a byte-order mark, xlsx in
write-only mode, and the one formula guard in both."""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gridgov.core import tabular

# Text a spreadsheet would run, or that some programs trim into something it would run.
FORMULAS = ["=1+1 执法队", "+86 138", "-2+3", "@SUM(A1)", "＝1+1 执法队", "＋1", "－1", "＠A1",
            "\t=1+1", "\r=1+1", "\n=1+1", "=HYPERLINK(\"http://x\",\"y\")"]
PLAIN = ["新泾综合行政执法队", "天山路1号", "1+1=2", " =1+1 (a space first)", "'quoted", ""]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_like_text_is_caught(value):
    assert tabular.looks_like_formula(value)


@pytest.mark.parametrize("value", [*PLAIN, 12, -3.5, None])
def test_plain_text_and_numbers_pass(value):
    assert not tabular.looks_like_formula(value)


def sheet(rows, **extra):
    return tabular.Sheet(title="表", header=["名称", "数量"], rows=rows, **extra)


def read_csv(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(sheets):
    buffer = io.BytesIO()
    tabular.write_xlsx(sheets, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def test_csv_guards_formulas_and_an_import_takes_the_guard_off():
    rows = read_csv(tabular.csv_lines(sheet([(value, 1) for value in FORMULAS + PLAIN])))
    assert rows[0] == ["名称", "数量"]
    written = [row[0] for row in rows[1:]]
    assert written[:len(FORMULAS)] == ["'" + value for value in FORMULAS]
    assert written[len(FORMULAS):] == PLAIN
    assert [tabular.without_csv_guard(value) for value in written] == FORMULAS + PLAIN


def test_xlsx_stores_formula_like_text_as_quoted_text_never_as_a_formula():
    book = read_xlsx([sheet([(value, 1) for value in FORMULAS + PLAIN[:-1]])])
    cells = [row[0] for row in book["表"].iter_rows(min_row=2)]
    # (An XML parser may read a carriage return as a line feed: openpyxl's own does, lxml not.)
    assert [cell.value.replace("\r", "\n") for cell in cells] == [
        v.replace("\r", "\n") for v in FORMULAS + PLAIN[:-1]]
    assert {cell.data_type for cell in cells} == {"s"}
    assert all(cell.quotePrefix for cell in cells[:len(FORMULAS)])
    assert not any(cell.quotePrefix for cell in cells[len(FORMULAS):])


def test_the_guard_is_the_one_rule_for_both_formats(monkeypatch):
    """Both writers ask looks_like_formula(): widen the rule and both guard the new start."""
    monkeypatch.setattr(tabular, "FORMULA_START", tabular.FORMULA_START | {"!"})
    [row] = read_csv(tabular.csv_lines(sheet([("!cmd", 1)])))[1:]
    assert row[0] == "'!cmd"
    cell = read_xlsx([sheet([("!cmd", 1)])])["表"]["A2"]
    assert cell.value == "!cmd" and cell.quotePrefix


def test_xlsx_layout_and_characters_the_file_format_forbids():
    book = read_xlsx([sheet([("控制\x01字符", 2.5), ("x", None)], preamble=[("统计期间", "3月")],
                             widths={"A": 24}, freeze_first_column=True)])
    table = book["表"]
    assert [[c.value for c in row] for row in table.iter_rows()] == [
        ["统计期间", "3月"], ["名称", "数量"], ["控制字符", 2.5], ["x", None]]
    assert table["A2"].font.bold and not table["A1"].font.bold
    assert table.freeze_panes == "B3" and table.column_dimensions["A"].width == 24


def test_responses_stream_and_name_the_file():
    response = tabular.csv_response(sheet(iter([("甲", 1)])), "地点.csv")
    assert response.streaming and "filename*=utf-8''%E5%9C%B0%E7%82%B9.csv" in response[
        "Content-Disposition"]
    assert b"".join(response.streaming_content).decode() == "\ufeff名称,数量\r\n甲,1\r\n"
    response = tabular.xlsx_response([sheet([("甲", 1)])], "indicators.xlsx")
    assert response["Content-Type"] == tabular.XLSX
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["表"]["A2"].value == "甲"


def test_no_other_module_writes_csv_or_xlsx():
    """Every export goes through this writer, hence through its guard."""
    root = Path(tabular.__file__).parent.parent
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(")
    found = [str(path.relative_to(root)) for path in root.rglob("*.py")
             if "tests" not in path.parts and path != Path(tabular.__file__)
             and writers.search(path.read_text(encoding="utf-8"))]
    assert found == []
