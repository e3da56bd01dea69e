"""Loading into raw: once per content, all or nothing per file, archive and quarantine, crash and rerun."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from ingestion import load, reading
from ingestion.claim import claim, claimed_files, private_copy
from ingestion.contract import load_contracts
from ingestion.load import ingest_inbox
from ingestion.registry import ensure_raw_schema
from tests.conftest import IMMUNIZATION_FIXTURES, drop_fixtures, fresh_home, power_cut

CONTRACT = load_contracts()["immunization"]


def _counts(con) -> tuple[int, int, int]:
    return con.execute(
        "select (select count(*) from raw.immunization), (select count(*) from raw.row_rejects), "
        "(select count(*) from raw.file_registry)"
    ).fetchone()


def test_every_file_ends_archived_or_quarantined_with_a_reason(home, con):
    drop_fixtures(home)
    outcomes = {o.file_name: o.outcome for o in ingest_inbox(con, CONTRACT, home)}
    assert outcomes == {
        "TCMR_HaCau_T03-2025.xls": "loaded",
        "TCMR_LaKhe_T03-2025.xlsx": "quarantined",
        "TCMR_MoLao_T03-2025.xlsx": "loaded",
        "TCMR_PhuLa_T03-2025.xlsx": "quarantined",
        "TCMR_VanQuan_T03-2025.xlsx": "loaded",
    }
    assert list(home.source_inbox("immunization").iterdir()) == []
    archived = sorted(p.name.split("__")[1] for p in (home.archive / "immunization" / "2025-03").iterdir())
    assert archived == [
        "TCMR_HaCau_T03-2025.xls",
        "TCMR_HaCau_T03-2025.xls.receipt.txt",
        "TCMR_HaCau_T03-2025.xls.registry.json",
        "TCMR_MoLao_T03-2025.xlsx",
        "TCMR_MoLao_T03-2025.xlsx.receipt.txt",
        "TCMR_MoLao_T03-2025.xlsx.registry.json",
        "TCMR_VanQuan_T03-2025.xlsx",
        "TCMR_VanQuan_T03-2025.xlsx.receipt.txt",
        "TCMR_VanQuan_T03-2025.xlsx.registry.json",
    ]
    assert list(home.processing.joinpath("immunization").iterdir()) == []  # no copy or note left behind
    receipts = {
        p.name.split("__")[1]: p.read_text(encoding="utf-8")
        for p in (home.quarantine / "immunization").glob("*.receipt.txt")
    }
    assert sorted(receipts) == [
        "TCMR_LaKhe_T03-2025.xlsx.receipt.txt",
        "TCMR_PhuLa_T03-2025.xlsx.receipt.txt",
    ]
    assert "KHÔNG NHẬN" in receipts["TCMR_LaKhe_T03-2025.xlsx.receipt.txt"]
    assert "Lý do: Thiếu cột bắt buộc: Ngày tiêm" in receipts["TCMR_LaKhe_T03-2025.xlsx.receipt.txt"]
    # 3 + 5 + 2 good rows; 0 + 4 + 1 rejected rows; one registry row per file
    assert _counts(con) == (10, 5, 5)
    registry = con.execute(
        "select file_name, ward_code, period, rows_read, rows_loaded, rows_rejected, rows_skipped "
        "from raw.file_registry where outcome = 'loaded' order by file_name"
    ).fetchall()
    assert registry == [
        ("TCMR_HaCau_T03-2025.xls", "09556", "2025-03", 4, 3, 0, 1),
        ("TCMR_MoLao_T03-2025.xlsx", "09541", "2025-03", 12, 5, 4, 3),
        ("TCMR_VanQuan_T03-2025.xlsx", "09542", "2025-03", 4, 2, 1, 1),
    ]


def test_same_content_twice_loads_once_even_under_another_name(home, con):
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    ingest_inbox(con, CONTRACT, home)
    shutil.copy2(
        IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx", home.source_inbox("immunization") / "copy.xlsx"
    )
    [outcome] = ingest_inbox(con, CONTRACT, home)
    assert outcome.outcome == "already_registered"
    assert _counts(con) == (5, 4, 1)
    assert list(home.source_inbox("immunization").iterdir()) == []


def test_crash_after_commit_before_archiving_then_rerun(home, con, monkeypatch):
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    monkeypatch.setattr(load, "place", power_cut)
    with pytest.raises(KeyboardInterrupt):
        ingest_inbox(con, CONTRACT, home)
    monkeypatch.undo()
    [left] = claimed_files(home, "immunization")  # taken from the inbox, not yet stored
    assert left.name.endswith("__TCMR_MoLao_T03-2025.xlsx")
    [outcome] = ingest_inbox(con, CONTRACT, home)
    assert outcome.outcome == "already_registered"
    assert _counts(con) == (5, 4, 1)
    assert len(list((home.archive / "immunization" / "2025-03").glob("*.xlsx"))) == 1


class _DiesWhenRegistering:
    """The warehouse connection, until the registry rows are written: then the power goes."""

    def __init__(self, con):
        self._con = con

    def __getattr__(self, name):
        return getattr(self._con, name)

    def executemany(self, sql, *args):
        if sql.startswith("insert into raw.file_registry"):
            raise KeyboardInterrupt("killed while registering")
        return self._con.executemany(sql, *args)


def test_crash_inside_the_transaction_leaves_nothing_half_loaded(home, con):
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    with pytest.raises(KeyboardInterrupt):
        ingest_inbox(_DiesWhenRegistering(con), CONTRACT, home)
    assert _counts(con) == (0, 0, 0)  # the rows and rejects inserted before were rolled back
    assert len(claimed_files(home, "immunization")) == 1  # kept for the rerun
    [outcome] = ingest_inbox(con, CONTRACT, home)
    assert (outcome.outcome, outcome.rows_loaded) == ("loaded", 5)
    assert _counts(con) == (5, 4, 1)


def test_partial_and_lock_files_are_left_alone(home, con):
    inbox = home.source_inbox("immunization")
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "~$TCMR_MoLao.xlsx").write_bytes(b"lock")
    (inbox / "TCMR_MoLao.xlsx.part").write_bytes(b"half")
    assert ingest_inbox(con, CONTRACT, home) == []
    assert sorted(p.name for p in inbox.iterdir()) == ["TCMR_MoLao.xlsx.part", "~$TCMR_MoLao.xlsx"]


def _loaded(con) -> list[tuple]:
    return con.execute(
        "select f.file_name, f.outcome, f.rows_loaded, f.rows_rejected, f.reason, "
        "(select count(*) from raw.immunization i where i.file_id = f.file_id), "
        "(select count(*) from raw.row_rejects r where r.file_id = f.file_id) "
        "from raw.file_registry f order by f.file_name"
    ).fetchall()


def test_reading_in_worker_processes_gives_what_reading_here_gives(tmp_path, monkeypatch):
    """Big inboxes are read in a pool of processes; the outcome, rows and rejects are the same, and
    files are staged in arrival order."""
    results = {}
    for mode, parallel_mb in (("here", "100000"), ("workers", "0")):
        monkeypatch.setenv("TREEM_INGEST_WORKERS", "2")
        monkeypatch.setenv("TREEM_INGEST_PARALLEL_MB", parallel_mb)
        home = fresh_home(tmp_path / mode)
        drop_fixtures(home)
        readers = reading.Readers(load.pending_files(home.source_inbox("immunization")))
        assert (readers.pool is not None) == (mode == "workers")
        readers.close()
        connection = duckdb.connect(str(home.warehouse))
        ensure_raw_schema(connection, [CONTRACT])
        order = [o.file_name for o in ingest_inbox(connection, CONTRACT, home)]
        results[mode] = (order, _loaded(connection))
        connection.close()
    assert results["workers"] == results["here"]
    assert [row[1] for row in results["here"][1]].count("loaded") == 3


def test_a_worker_that_dies_does_not_block_the_file(home, monkeypatch):
    """A reader process killed (out of memory, a crash in a reader library): the file is read again in
    the loading process, and so are the files after it."""
    import os
    import signal

    monkeypatch.setenv("TREEM_INGEST_WORKERS", "2")
    monkeypatch.setenv("TREEM_INGEST_PARALLEL_MB", "0")
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx", "TCMR_VanQuan_T03-2025.xlsx")
    files = load.pending_files(home.source_inbox("immunization"))
    readers = reading.Readers(files)
    try:
        first = readers.submit(files[0], CONTRACT, files[0].name)
        expected = first.result()
        assert expected.rows_loaded > 0
        for process in list(readers.pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
        taken = private_copy(claim(files[0], home, "immunization"))
        again = readers.submit(taken.copy, CONTRACT, taken.name)
        assert readers.result(reading.Reading(taken, {}, again), CONTRACT) == expected
        assert readers.pool is None  # the rest are read here
        later = readers.submit(files[1], CONTRACT, files[1].name)
        assert later.result() == reading.read_file(files[1], CONTRACT, files[1].name)
    finally:
        readers.close()
