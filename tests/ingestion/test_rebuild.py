"""A warehouse rebuilt from the stored files alone equals the one they were loaded into, and a run stops on
a warehouse lost, broken or replaced."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pytest

from base.home import PROJECT_ROOT, Home
from ingestion.claim import claim
from ingestion.contract import load_contracts
from ingestion.filing import RECORD_SUFFIX
from ingestion.load import ingest_all, ingest_inbox
from ingestion.rebuild import (
    MOVED_ASIDE,
    RebuildError,
    finish_rebuild,
    replay_archive,
    stored_files,
    warehouse_problem,
)
from ingestion.registry import ensure_raw_schema
from ingestion.release import release
from tests.conftest import drop_fixtures
from tests.ingestion.test_reliability import BHYT_NAME, bhyt_csv, bhyt_row
from tests.pipeline_state import raw_state, stored_state, table_states

CORRECTION = "BHYT_TE_HaDong_202503_lan2.csv"
HELD = "BHYT_TE_HaDong_202503_sua.csv"


def _drop(home: Home, folder: str, name: str, content: bytes, age: float) -> None:
    """A file as an office drops it, sent ``age`` seconds ago; ``folder`` is relative to the inbox."""
    target = home.inbox / folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    stamp = time.time() - age
    os.utime(target, (stamp, stamp))


def _bhyt(rows: int) -> bytes:
    return bhyt_csv([bhyt_row(i) for i in range(1, rows + 1)])


def _ingest(home: Home) -> None:
    with duckdb.connect(str(home.warehouse)) as con:
        ingest_all(con, home)


def _registry(home: Home) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute("select * exclude (receipt) from raw.file_registry order by file_id").fetchall()


def _outcomes(home: Home) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            "select file_name, outcome, rows_loaded, superseded_by is not null, held_against is not null, "
            "released_by from raw.file_registry where source = 'health_insurance' order by processed_at"
        ).fetchall()


def _files_in(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def history(home: Home) -> Home:
    """Three runs: the five immunisation fixtures (three load, two are set aside), a BHYT list, a file in
    the inbox itself and one in a folder no source has; then a BHYT correction and a second one with far
    fewer rows (held); then the held one, released by an engineer, and a set-aside file dropped again."""
    drop_fixtures(home)
    _drop(home, "health_insurance", BHYT_NAME, _bhyt(100), 9000)
    _drop(home, ".", "bao_cao_thang_3.xlsx", b"PK\x03\x04 dropped at the top of the inbox", 8000)
    _drop(home, "thang3", "ghi_chu.csv", b"a,b\r\n1,2\r\n", 8000)
    _ingest(home)
    _drop(home, "health_insurance", CORRECTION, _bhyt(80), 7000)
    _drop(home, "health_insurance", HELD, _bhyt(30), 6000)
    _ingest(home)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        (held,) = con.execute(
            "select file_id from raw.file_registry where held_against is not null"
        ).fetchone()
    release(home, held, "ky.su")
    drop_fixtures(home, "TCMR_LaKhe_T03-2025.xlsx")
    _ingest(home)
    return home


def test_the_history_holds_corrections_a_release_a_retry_and_unknown_sources(history):
    assert _outcomes(history) == [
        (BHYT_NAME, "loaded", 100, True, False, None),
        (CORRECTION, "loaded", 80, True, False, None),
        (HELD, "loaded", 30, False, False, "ky.su"),
    ]
    with duckdb.connect(str(history.warehouse), read_only=True) as con:
        unknown = con.execute(
            "select file_name, reason like '%thư mục gốc%', reason like '%thang3/%' from raw.file_registry "
            "where source = '_unknown' order by file_name"
        ).fetchall()
        (la_khe,) = con.execute(
            "select processed_at > (select max(processed_at) from raw.file_registry where file_name = ?) "
            "from raw.file_registry where file_name = 'TCMR_LaKhe_T03-2025.xlsx'",
            [CORRECTION],
        ).fetchone()
    assert unknown == [("bao_cao_thang_3.xlsx", True, False), ("ghi_chu.csv", False, True)]
    assert la_khe  # tried again in the third run: its row is the third run's


def test_a_rebuild_from_the_stored_files_gives_the_same_raw_schema_and_files(history):
    registry, raw, stored = _registry(history), raw_state(history), stored_state(history)

    replay = replay_archive(history)

    assert not history.warehouse.exists()
    assert replay.moved_aside.name.startswith(f"warehouse.duckdb.{MOVED_ASIDE}-")
    assert table_states(replay.moved_aside, schema="raw") == raw  # moved aside whole
    assert len(replay.files) == len(list(stored_files(history))) == len(registry) == 10
    assert (replay.warnings, replay.pending) == ([], 0)
    _ingest(history)
    assert _registry(history) == registry
    assert raw_state(history) == raw  # every column of the registry (the receipts too), rejects, rows
    assert stored_state(history) == stored  # nothing lost; receipts and notes written again, identical
    assert finish_rebuild(history, replay) == []
    assert _files_in(history.processing) == []


def test_files_stored_without_a_note_take_their_times_from_the_old_registry(history):
    """Files stored by an older treem have no registry note: the registry of the warehouse moved aside
    dates them, so the rebuild equals the original all the same."""
    registry, raw = _registry(history), raw_state(history)
    for note in history.archive.rglob("*" + RECORD_SUFFIX):
        note.unlink()
    replay = replay_archive(history)
    assert replay.warnings == [
        "6 tệp lưu trữ không có ghi chú sổ đăng ký (lưu bởi phiên bản treem cũ): 6 tệp lấy thời điểm nhận và "
        "xử lý từ sổ đăng ký của kho cũ"
    ]
    _ingest(history)
    assert (_registry(history), raw_state(history)) == (registry, raw)
    assert finish_rebuild(history, replay) == []


def test_without_a_note_or_a_readable_registry_files_go_by_their_modification_time(history):
    """The order of corrections still holds (an office sends a correction after the file it corrects);
    the times received and processed become the files' modification times, and the rebuild says so. A
    release recorded nowhere any more is lost: the held file is held again."""
    for note in history.archive.joinpath("health_insurance").rglob("*" + RECORD_SUFFIX):
        note.unlink()
    history.warehouse.write_bytes(b"not a warehouse any more")
    replay = replay_archive(history)
    assert replay.warnings[0].startswith("3 tệp lưu trữ không có ghi chú sổ đăng ký")
    assert replay.warnings[1].startswith("3 tệp không có trong sổ đăng ký nào đọc được")
    assert replay.moved_aside.read_bytes() == b"not a warehouse any more"
    _ingest(history)
    assert _outcomes(history) == [
        (BHYT_NAME, "loaded", 100, True, False, None),
        (CORRECTION, "loaded", 80, False, False, None),
        (HELD, "quarantined", 0, False, True, None),
    ]


def test_a_file_an_interrupted_run_left_in_processing_comes_after_the_stored_ones(history):
    """Claimed by a run that stopped before storing it, it came after every stored file: it corrects the
    released file, not the other way round."""
    later = "BHYT_TE_HaDong_202503_lan3.csv"
    _drop(history, "health_insurance", later, _bhyt(90), 100)
    claim(history.source_inbox("health_insurance") / later, history, "health_insurance")
    replay = replay_archive(history)
    assert replay.pending == 1
    _ingest(history)
    assert _outcomes(history) == [
        (BHYT_NAME, "loaded", 100, True, False, None),
        (CORRECTION, "loaded", 80, True, False, None),
        (HELD, "loaded", 30, True, False, "ky.su"),
        (later, "loaded", 90, False, False, None),
    ]
    assert _files_in(history.processing) == []


def test_a_file_whose_move_to_the_archive_was_cut_short_is_replayed_in_its_place(history):
    """The commit, its receipt and registry note were written, then the power went: the file is still in
    processing/, not in the archive. It is replayed where its note puts it, first of its corrections."""
    registry, raw, stored = _registry(history), raw_state(history), stored_state(history)
    [archived] = [p for p in stored_files(history) if p.name.endswith("__" + BHYT_NAME)]
    os.replace(archived, history.source_inbox("health_insurance") / BHYT_NAME)
    claim(history.source_inbox("health_insurance") / BHYT_NAME, history, "health_insurance")
    replay = replay_archive(history)
    assert (len(replay.files), replay.pending, replay.warnings) == (10, 0, [])
    _ingest(history)
    assert (_registry(history), raw_state(history), stored_state(history)) == (registry, raw, stored)


def test_a_stored_file_lost_is_named_and_the_others_rebuilt(history):
    [lost] = [p for p in stored_files(history) if p.name.endswith("__TCMR_PhuLa_T03-2025.xlsx")]
    lost.unlink()
    replay = replay_archive(history)
    assert len(replay.files) == 9
    assert replay.warnings == [
        f"Mất tệp {lost.relative_to(history.root)} (mã tệp {lost.name[:16]}): chỉ còn ghi chú sổ đăng ký, "
        "không nạp lại được"
    ]


def test_a_rebuild_cut_short_can_be_started_again(history):
    """Stopped after loading one source: the second rebuild moves the partial warehouse aside too, drops
    the copies the first one claimed, and ends as one clean rebuild."""
    registry, raw, stored = _registry(history), raw_state(history), stored_state(history)
    first = replay_archive(history)
    with duckdb.connect(str(history.warehouse)) as con:
        ensure_raw_schema(con, list(load_contracts().values()))
        ingest_inbox(con, load_contracts()["immunization"], history)
    second = replay_archive(history)
    assert second.moved_aside != first.moved_aside
    assert (len(second.files), second.pending, second.warnings) == (10, 0, [])
    _ingest(history)
    assert (_registry(history), raw_state(history), stored_state(history)) == (registry, raw, stored)
    assert table_states(first.moved_aside, schema="raw") == raw


@contextmanager
def _written_by_another_process(home: Home) -> Iterator[None]:
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
            "sys.stdin.read()",
            str(home.warehouse),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        yield
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)


def test_the_rebuild_waits_for_a_run_that_is_writing(history):
    with _written_by_another_process(history), pytest.raises(RebuildError, match="đang được ghi"):
        replay_archive(history)
    assert history.warehouse.exists()
    assert _files_in(history.processing) == []


def test_a_new_home_has_nothing_to_rebuild_and_no_warehouse_problem(home):
    assert warehouse_problem(home) is None
    with pytest.raises(RebuildError, match="treem run"):
        replay_archive(home)


def test_a_run_stops_on_a_warehouse_lost_broken_or_replaced_and_not_on_one_in_use(history):
    assert warehouse_problem(history) is None
    with _written_by_another_process(history):
        assert warehouse_problem(history) is None  # locked by a run: in use, not broken

    intact = history.warehouse.read_bytes()
    with open(history.warehouse, "r+b") as warehouse:
        warehouse.seek(3 * 4096)  # the first block after the headers: the catalog
        warehouse.write(os.urandom(4096))
    assert "(có thể tệp kho bị hỏng: " in warehouse_problem(history)
    history.warehouse.write_bytes(intact[: 4 * 4096])  # cut short (a full disk, a copy stopped)
    assert "(có thể tệp kho bị hỏng: " in warehouse_problem(history)

    history.warehouse.unlink()
    lost = warehouse_problem(history)
    assert lost.startswith(f"Không thấy kho dữ liệu {history.warehouse}, dù thư mục lưu trữ đã giữ 10 tệp")
    assert "`treem rebuild`" in lost

    history.warehouse.write_bytes(os.urandom(20_000))
    assert "Không mở được kho dữ liệu" in warehouse_problem(history)
    assert "`treem rebuild`" in warehouse_problem(history)

    history.warehouse.unlink()
    _ingest(history)  # what a run would do on a lost warehouse: a new one holding only the new files
    replaced = warehouse_problem(history)
    assert replaced.startswith(f"Sổ đăng ký tệp của kho {history.warehouse} thiếu 10 trong 10 tệp đã lưu trữ")
    assert "`treem rebuild`" in replaced
