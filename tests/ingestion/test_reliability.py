"""No name, no half-copied file, no mostly bad file and no fault of treem's own on one file can stop the
others or replace good data: long names, files still being written, mostly bad district files,
corrections with far fewer rows (held until released), unexpected errors, entries left alone."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time

import duckdb
import pytest

from ingestion import filing, inbox, load, reading
from ingestion.claim import claimed_files
from ingestion.contract import load_contracts
from ingestion.inbox import settled, skipped_entries
from ingestion.load import ingest_inbox, quarantine_unknown
from ingestion.registry import ensure_raw_schema
from ingestion.release import ReleaseError, release
from ingestion.status import inbox_status
from tests.conftest import IMMUNIZATION_FIXTURES, drop_fixtures

BHYT = load_contracts()["health_insurance"]
IMMUNIZATION = load_contracts()["immunization"]
BHYT_HEADER = (
    "Mã thẻ BHYT,Mã định danh,Họ tên,Ngày sinh,Giới tính,Phường/Xã,Ngày cấp,Giá trị từ ngày,Giá trị đến ngày"
)
BHYT_NAME = "BHYT_TE_HaDong_202503.csv"


def bhyt_row(i: int) -> str:
    return (
        f"TE101{i:010d},001224{i:06d},Nguyễn Văn An,15/01/2024,Nam,Phường Mộ Lao,"
        "20/01/2024,20/01/2024,19/01/2025"
    )


def bhyt_csv(rows: list[str]) -> bytes:
    return ("\r\n".join([BHYT_HEADER, *rows]) + "\r\n").encode("utf-8-sig")


def _drop(home, source: str, name: str, content: bytes, age: float = 3600) -> None:
    inbox = home.source_inbox(source)
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(content)
    stamp = time.time() - age
    os.utime(inbox / name, (stamp, stamp))


def _registry(con) -> list[tuple]:
    return con.execute(
        "select file_name, outcome, rows_loaded, superseded_by, held_against, released_by "
        "from raw.file_registry order by processed_at"
    ).fetchall()


def test_a_very_long_vietnamese_name_loads_under_a_bounded_name_and_keeps_its_own(home, con):
    long_name = "Báo cáo tiêm chủng mở rộng " * 6 + "TCMR_MoLao_T03-2025.xlsx"
    assert len(long_name.encode()) == 240  # past the 234 bytes that used to stop every run
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    os.replace(
        home.source_inbox("immunization") / "TCMR_MoLao_T03-2025.xlsx",
        home.source_inbox("immunization") / long_name,
    )
    drop_fixtures(home, "TCMR_VanQuan_T03-2025.xlsx")
    outcomes = ingest_inbox(con, IMMUNIZATION, home)
    assert sorted((o.file_name, o.outcome, o.rows_loaded) for o in outcomes) == [
        (long_name, "loaded", 5),
        ("TCMR_VanQuan_T03-2025.xlsx", "loaded", 2),
    ]
    stored = con.execute(
        "select stored_as from raw.file_registry where file_name = ?", [long_name]
    ).fetchone()[0]
    assert len(os.path.basename(stored).encode()) <= 16 + 2 + 120
    archived = home.root / stored
    assert f"Tệp: {long_name}" in archived.with_name(archived.name + ".receipt.txt").read_text(
        encoding="utf-8"
    )
    assert (
        json.loads(archived.with_name(archived.name + ".registry.json").read_text())["file_name"] == long_name
    )
    assert claimed_files(home, "immunization") == []


def test_a_file_still_being_written_waits_then_loads_whole(home, con, monkeypatch):
    """A BHYT list written row by row while the run starts is not taken until it has stopped changing for
    the settle time; then all of it loads."""
    monkeypatch.setenv("TREEM_SETTLE_SECONDS", "1")
    inbox = home.source_inbox("health_insurance")
    inbox.mkdir(parents=True)
    path = inbox / BHYT_NAME
    rows = [bhyt_row(i) for i in range(1, 401)]
    path.write_bytes(bhyt_csv(rows[:50]))

    def office_keeps_writing() -> None:
        with open(path, "ab") as handle:
            for start in range(50, 400, 50):
                time.sleep(0.3)
                handle.write(("\r\n".join(rows[start : start + 50]) + "\r\n").encode())
                handle.flush()

    writer = threading.Thread(target=office_keeps_writing)
    writer.start()
    [first] = ingest_inbox(con, BHYT, home)  # while the office writes: nothing taken
    writer.join()
    assert (first.outcome, first.file_name) == ("waiting", BHYT_NAME)
    assert path.exists()
    [second] = ingest_inbox(con, BHYT, home)  # it waits the settle time once, then takes it
    assert (second.outcome, second.rows_loaded) == ("loaded", 400)


def test_a_file_that_changes_while_it_is_read_waits_and_the_bytes_stored_are_the_bytes_read(
    home, con, monkeypatch
):
    _drop(home, "health_insurance", BHYT_NAME, bhyt_csv([bhyt_row(i) for i in range(1, 101)]))
    real = reading.parse_file

    def the_writer_is_still_at_work(path, contract, name):
        [claimed] = claimed_files(home, "health_insurance")
        with open(claimed, "ab") as handle:
            handle.write(("\r\n".join(bhyt_row(i) for i in range(101, 201)) + "\r\n").encode())
        return real(path, contract, name)

    monkeypatch.setattr(reading, "parse_file", the_writer_is_still_at_work)
    [first] = ingest_inbox(con, BHYT, home)
    monkeypatch.undo()
    assert first.outcome == "waiting"
    assert con.execute("select count(*) from raw.file_registry").fetchone()[0] == 0
    assert len(claimed_files(home, "health_insurance")) == 1
    [second] = ingest_inbox(con, BHYT, home)
    assert (second.outcome, second.rows_loaded) == ("loaded", 200)
    stored = home.root / con.execute("select stored_as from raw.file_registry").fetchone()[0]
    assert filing.content_hash(stored)[:16] == second.file_id


def test_a_mostly_bad_district_wide_file_is_quarantined_and_the_month_kept(home, con):
    good = [bhyt_row(i) for i in range(1, 41)]
    _drop(home, "health_insurance", BHYT_NAME, bhyt_csv(good))
    [first] = ingest_inbox(con, BHYT, home)
    assert (first.outcome, first.rows_loaded) == ("loaded", 40)
    duplicated = [bhyt_row(i) for i in range(1, 31)] + [bhyt_row(1)] * 970  # 96.9% duplicate rows
    _drop(home, "health_insurance", "BHYT_TE_HaDong_202503_lan2.csv", bhyt_csv(duplicated))
    [second] = ingest_inbox(con, BHYT, home)
    assert second.outcome == "quarantined"
    assert second.reason.startswith("970/1000 dòng bị lỗi, quá ngưỡng 50%")
    assert _registry(con) == [
        (BHYT_NAME, "loaded", 40, None, None, None),
        ("BHYT_TE_HaDong_202503_lan2.csv", "quarantined", 0, None, None, None),
    ]


def test_a_correction_with_far_fewer_rows_is_held_until_an_engineer_releases_it(home, con):
    _drop(home, "health_insurance", BHYT_NAME, bhyt_csv([bhyt_row(i) for i in range(1, 101)]), age=7200)
    [first] = ingest_inbox(con, BHYT, home)
    _drop(
        home,
        "health_insurance",
        "BHYT_TE_HaDong_202503_sua.csv",
        bhyt_csv([bhyt_row(i) for i in range(1, 31)]),
    )
    [held] = ingest_inbox(con, BHYT, home)
    assert held.outcome == "quarantined"
    assert held.reason.startswith(
        f"Tệp có 30 dòng hợp lệ, chưa bằng 50% số dòng của tệp đang dùng cho kỳ 2025-03 ('{BHYT_NAME}', "
        f"mã tệp {first.file_id}, nhận "
    )
    assert held.reason.endswith(f"bằng lệnh: treem release {held.file_id}")
    assert con.execute("select count(*) from raw.health_insurance").fetchone()[0] == 100
    con.close()

    with pytest.raises(ReleaseError, match="đã được nạp"):
        release(home, first.file_id, "ky.su")
    done = release(home, held.file_id[:8], "ky.su")
    assert (done.held_against, done.inbox_path.parent) == (
        first.file_id,
        home.source_inbox("health_insurance"),
    )
    connection = duckdb.connect(str(home.warehouse))
    [loaded] = ingest_inbox(connection, BHYT, home)
    assert (loaded.outcome, loaded.rows_loaded, loaded.file_id) == ("loaded", 30, held.file_id)
    assert _registry(connection) == [
        (BHYT_NAME, "loaded", 100, held.file_id, None, None),
        ("BHYT_TE_HaDong_202503_sua.csv", "loaded", 30, None, None, "ky.su"),
    ]
    connection.close()


def test_a_fault_of_treem_on_one_file_sets_it_aside_and_the_others_load(home, con, monkeypatch):
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx", "TCMR_VanQuan_T03-2025.xlsx", "TCMR_HaCau_T03-2025.xls")
    real = load._rows_table

    def breaks_on_van_quan(contract, file_id, parsed):
        if parsed.ward_code == "09542":
            raise RuntimeError("a bug in building the rows")
        return real(contract, file_id, parsed)

    monkeypatch.setattr(load, "_rows_table", breaks_on_van_quan)
    outcomes = {o.file_name: (o.outcome, o.rows_loaded) for o in ingest_inbox(con, IMMUNIZATION, home)}
    assert outcomes == {
        "TCMR_MoLao_T03-2025.xlsx": ("loaded", 5),
        "TCMR_VanQuan_T03-2025.xlsx": ("quarantined", 0),
        "TCMR_HaCau_T03-2025.xls": ("loaded", 3),
    }
    reason, ward, period, stored = con.execute(
        "select reason, ward_code, period, stored_as from raw.file_registry where outcome = 'quarantined'"
    ).fetchone()
    assert reason.startswith("Lỗi không mong đợi khi kiểm tra và nạp tệp (RuntimeError)")
    assert (ward, period) == ("09542", "2025-03")
    receipt = (home.root / (stored + ".receipt.txt")).read_text(encoding="utf-8")
    assert "Chi tiết kỹ thuật (cho kỹ sư dữ liệu):" in receipt
    assert "RuntimeError: a bug in building the rows" in receipt


def test_entries_left_alone_are_listed_with_their_reason(home):
    inbox = home.source_inbox("immunization")
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    (inbox / ".an.tep.an.xlsx").write_bytes(b"x")
    (inbox / "~$TCMR_MoLao_T03-2025.xlsx").write_bytes(b"x")
    (inbox / "TCMR_PhuLa_T03-2025.xlsx.part").write_bytes(b"x")
    (inbox / "thang3").mkdir()
    os.symlink(IMMUNIZATION_FIXTURES / "TCMR_LaKhe_T03-2025.xlsx", inbox / "lien_ket.xlsx")
    os.mkfifo(inbox / "ong_dan.xlsx")
    reasons = {entry.path: entry.reason.split(" ")[0:2] for entry in skipped_entries(home, seconds=0)}
    assert reasons == {
        "immunization/.an.tep.an.xlsx": ["tệp", "ẩn"],
        "immunization/TCMR_PhuLa_T03-2025.xlsx.part": ["tệp", "đang"],
        "immunization/lien_ket.xlsx": ["liên", "kết"],
        "immunization/ong_dan.xlsx": ["không", "phải"],
        "immunization/thang3": ["thư", "mục"],
        "immunization/~$TCMR_MoLao_T03-2025.xlsx": ["tệp", "khoá"],
    }
    status = inbox_status(home)
    assert len(status.skipped) == 6
    assert {s.source: s.waiting for s in status.sources}["immunization"] == 1
    with duckdb.connect(str(home.warehouse)) as con:
        ensure_raw_schema(con, [IMMUNIZATION])
        [outcome] = ingest_inbox(con, IMMUNIZATION, home)  # the FIFO never blocks the run
    assert outcome.outcome == "loaded"


def test_a_young_file_is_taken_after_one_wait_and_an_old_one_at_once(tmp_path):
    old, young = tmp_path / "old.csv", tmp_path / "young.csv"
    old.write_text("a")
    os.utime(old, (time.time() - 60, time.time() - 60))
    young.write_text("b")
    started = time.monotonic()
    assert settled([old], 2) == ([old], [])
    assert time.monotonic() - started < 0.5  # no sleep for a file already older than the settle time
    assert settled([young, old], 1) == ([young, old], [])
    assert 0.5 < time.monotonic() - started < 2.5


def test_a_file_dated_ahead_of_the_clock_waits_the_settle_time_at_most(tmp_path):
    ahead = tmp_path / "dong_ho_sai.xlsx"
    ahead.write_text("x")
    os.utime(ahead, (time.time() + 3600, time.time() + 3600))  # an office computer an hour fast
    started = time.monotonic()
    assert settled([ahead], 1) == ([ahead], [])
    assert time.monotonic() - started < 2


def test_a_file_gone_between_listing_and_sorting_does_not_stop_the_others(home, con, monkeypatch):
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    folder = home.source_inbox("immunization")
    (folder / "8A3F2B10").write_bytes(b"Excel's temporary file while it saves")
    real = inbox.is_inside

    def excel_finishes_saving(path, parent):
        inside = real(path, parent)
        if path.name == "8A3F2B10":
            path.unlink()
        return inside

    monkeypatch.setattr(inbox, "is_inside", excel_finishes_saving)
    [outcome] = ingest_inbox(con, IMMUNIZATION, home)
    assert (outcome.file_name, outcome.outcome) == ("TCMR_MoLao_T03-2025.xlsx", "loaded")


def test_a_file_in_a_folder_named_by_an_old_windows_tool_is_set_aside(home, con):
    folder = home.inbox / os.fsdecode(b"T\xe0i_li\xeau")  # Windows-1258 'Tài_liệu', not UTF-8
    folder.mkdir(parents=True)
    (folder / "a.csv").write_bytes(b"x,y\n1,2\n")
    [outcome] = quarantine_unknown(con, home)
    assert outcome.outcome == "quarantined"
    assert "tệp nằm ở thư mục 'T�i_li�u/'" in outcome.reason
    [note] = (home.quarantine / "_unknown").glob("*.registry.json")
    assert json.loads(note.read_text())["origin"] == os.fsdecode(b"T\xe0i_li\xeau")
    assert claimed_files(home, "_unknown", tidy=True) == []


def test_a_file_claimed_by_an_older_treem_under_its_whole_long_name_loads(home, con):
    folder = home.processing / "immunization"
    folder.mkdir(parents=True)
    legacy = folder / ("1796400000000000000__TCMR_MoLao_T03-2025_" + "x" * 200 + ".xlsx")
    assert len(legacy.name.encode()) > 240
    shutil.copy2(IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx", legacy)
    [outcome] = ingest_inbox(con, IMMUNIZATION, home)
    assert (outcome.outcome, outcome.rows_loaded) == ("loaded", 5)
    assert outcome.file_name == legacy.name.split("__", 1)[1]
    assert list(folder.iterdir()) == []
