"""Issue 20: the warehouse kept up to date run by run (the incremental models fold in only the files they
have not seen, and drop those a correction replaced) equals the same warehouse rebuilt in full
(`treem run --full-refresh`), table by table, row by row."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from base.home import Home
from benchmarks.pipeline import hold_back
from demo import generate
from tests.conftest import fresh_home, use
from tests.pipeline_state import table_states
from treem.cli import main

pytestmark = pytest.mark.slow

BUILT_SCHEMAS = ("intermediate", "marts", "restricted")


def _built(home: Home) -> dict:
    return {schema: table_states(home.warehouse, schema) for schema in BUILT_SCHEMAS}


def _correct_a_register(home: Home) -> str:
    """A corrected copy of a register snapshot loaded by the first run: one child's name retyped.
    Returns the file id of the snapshot it replaces."""
    [loaded] = sorted((home.archive / "child_register" / "2025-Q1").glob("*VanQuan_Q1-2025.xlsx"))
    book = openpyxl.load_workbook(loaded)
    sheet = book.active
    header = next(row for row in sheet.iter_rows(min_row=1, max_row=12) if row[0].value == "STT")
    name = sheet.cell(row=header[0].row + 1, column=3)
    name.value = f"{name.value} Anh"
    book.save(home.source_inbox("child_register") / "SoTheoDoiTreEm_VanQuan_Q1-2025_suachua.xlsx")
    return loaded.name.split("__")[0]


def _replaced(home: Home, file_id: str) -> tuple[bool, int]:
    """Whether the file was superseded, and how many of its records the warehouse still holds."""
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        [(superseded,)] = con.execute(
            "select superseded_by is not null from raw.file_registry where file_id = ?", [file_id]
        ).fetchall()
        [(records_left,)] = con.execute(
            "select count(*) from intermediate.int_child_records_unioned where record_id like ?",
            [f"{file_id}-%"],
        ).fetchall()
    return superseded, records_left


def test_a_month_and_a_correction_folded_in_equal_a_full_rebuild(tmp_path: Path, pointed_env):
    home = fresh_home(tmp_path / "home")
    truth = generate(home.root, seed=11, scale=0.01)
    held = tmp_path / "held"
    assert hold_back(home, truth, "2025-12", held) > 100
    try:
        assert main(["--home", str(home.root), "run"]) == 0
        replaced = _correct_a_register(home)
        for folder in held.iterdir():
            for path in folder.iterdir():
                shutil.move(path, home.source_inbox(folder.name) / path.name)
        assert main(["--home", str(home.root), "run"]) == 0
        folded = _built(home)
        superseded, records_left = _replaced(home, replaced)
        assert main(["--home", str(home.root), "run", "--full-refresh"]) == 0
        rebuilt = _built(home)
    finally:
        use(pointed_env)

    assert superseded and records_left == 0  # the correction was taken, and its original's records left
    assert sum(rows for rows, _ in folded["intermediate"].values()) > 10_000
    for schema in BUILT_SCHEMAS:
        differing = {
            table: (folded[schema].get(table), rebuilt[schema].get(table))
            for table in folded[schema].keys() | rebuilt[schema].keys()
            if folded[schema].get(table) != rebuilt[schema].get(table)
        }
        assert differing == {}, schema
