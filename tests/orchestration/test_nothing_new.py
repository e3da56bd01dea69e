"""When a run has nothing to do: a copy of the fixture home, marked complete, then changed one way at a
time; each change makes a run due again, and undoing it makes the home complete again."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from base.clock import local_now
from base.home import Home
from orchestration import nothing_new
from orchestration.nothing_new import STAMP, forget_complete_run, record_complete_run


@pytest.fixture
def home(fixture_home, tmp_path) -> Home:
    copy = Home(tmp_path / "home")
    shutil.copytree(fixture_home.root, copy.root, symlinks=True)
    record_complete_run(copy, "run-1")
    return copy


def test_a_home_left_as_the_last_complete_run_left_it_has_nothing_new(home):
    assert nothing_new.nothing_new(home) is not None
    assert (home.root / STAMP).is_file()


def test_a_file_waiting_anywhere_in_the_inbox_makes_a_run_due(home):
    for folder in (home.source_inbox("immunization"), home.inbox, home.source_inbox("nguon-la")):
        folder.mkdir(parents=True, exist_ok=True)
        dropped = folder / "TCMR_MoLao_T04-2025.xlsx"
        dropped.write_bytes(b"PK")
        assert nothing_new.nothing_new(home) is None, folder
        dropped.unlink()
        assert nothing_new.nothing_new(home) is not None
    # what no run takes does not count: a hidden file, a copy still being written
    (home.source_inbox("immunization") / ".~lock.x.xlsx#").write_bytes(b"")
    (home.source_inbox("immunization") / "x.xlsx.part").write_bytes(b"")
    assert nothing_new.nothing_new(home) is not None


def test_a_file_a_killed_run_claimed_makes_a_run_due(home):
    claimed = home.processing / "immunization"
    claimed.mkdir(parents=True, exist_ok=True)
    (claimed / "TCMR_MoLao_T04-2025.xlsx").write_bytes(b"PK")
    assert nothing_new.nothing_new(home) is None


FIRST_FILE = "file_id = (select min(file_id) from raw.file_registry)"


def test_a_changed_registry_row_makes_a_run_due(home):
    con = duckdb.connect(str(home.warehouse))
    (outcome,) = con.execute(f"select outcome from raw.file_registry where {FIRST_FILE}").fetchone()
    con.execute(f"update raw.file_registry set outcome = 'held' where {FIRST_FILE}")
    con.close()
    assert nothing_new.nothing_new(home) is None
    con = duckdb.connect(str(home.warehouse))
    con.execute(f"update raw.file_registry set outcome = ? where {FIRST_FILE}", [outcome])
    con.close()
    assert nothing_new.nothing_new(home) is not None


def test_another_publish_a_removed_workbook_or_another_day_make_a_run_due(home, monkeypatch):
    con = duckdb.connect(str(home.serving))
    con.execute("update serving_meta set publish_id = 'another'")
    con.close()
    assert nothing_new.nothing_new(home) is None
    record_complete_run(home, "run-2")
    assert nothing_new.nothing_new(home) is not None

    workbook = home.reports / "2025-BCT-6T" / "2025-BCT-6T_268-toan-quan.xlsx"
    workbook.parent.mkdir(parents=True)
    workbook.write_bytes(b"PK")
    record_complete_run(home, "run-3")
    workbook.unlink()
    assert nothing_new.nothing_new(home) is None
    record_complete_run(home, "run-4")

    tomorrow = (local_now().date() + dt.timedelta(days=1)).isoformat()  # a fixed date would one day be today
    monkeypatch.setattr(nothing_new, "_days", lambda _: (tomorrow, tomorrow))
    assert nothing_new.nothing_new(home) is None


def test_changed_code_or_a_started_run_make_a_run_due(home, monkeypatch):
    monkeypatch.setattr(nothing_new, "project_fingerprint", lambda: "a model changed")
    assert nothing_new.nothing_new(home) is None
    monkeypatch.undo()
    assert nothing_new.nothing_new(home) is not None
    forget_complete_run(home)  # a run started its work (and may die before it ends)
    assert nothing_new.nothing_new(home) is None


def test_no_fingerprint_is_recorded_while_a_file_waits(home):
    (home.root / STAMP).unlink()
    home.source_inbox("immunization").mkdir(parents=True, exist_ok=True)
    (home.source_inbox("immunization") / "TCMR_MoLao_T04-2025.xlsx").write_bytes(b"PK")
    record_complete_run(home, "run-2")
    assert not (home.root / STAMP).exists()
