"""Files sent from the dashboard: written whole into the inbox under a safe name that never replaces a
waiting file, at the time they were sent; and where each stands after ingestion."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from ingestion.claim import claim, private_copy
from ingestion.contract import load_contracts
from ingestion.inbox import skipped_entries
from ingestion.load import ingest_inbox
from ingestion.parse_file import identify
from ingestion.submission import (
    HELD,
    LOADED,
    QUARANTINED,
    SUPERSEDED,
    WAITING,
    NotSendable,
    check_upload,
    deliver,
    file_id,
    replacing,
    standing,
)
from ingestion.template_request import template_file_name, template_periods
from tests.conftest import IMMUNIZATION_FIXTURES

CONTRACT = load_contracts()["immunization"]
SENT_AT = dt.datetime(2025, 4, 3, 9, 30)  # district local time, as the registry keeps it


def _bytes(name: str) -> bytes:
    return (IMMUNIZATION_FIXTURES / name).read_bytes()


def test_a_sent_file_is_whole_in_the_inbox_at_the_time_it_was_sent(home):
    path = deliver(
        home, "immunization", "TCMR_MoLao_T03-2025.xlsx", _bytes("TCMR_MoLao_T03-2025.xlsx"), SENT_AT
    )
    assert path == home.source_inbox("immunization") / "TCMR_MoLao_T03-2025.xlsx"
    assert path.read_bytes() == _bytes("TCMR_MoLao_T03-2025.xlsx")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left
    # the claim takes the modification time as the submission time: 02:30 UTC
    assert path.stat().st_mtime == dt.datetime(2025, 4, 3, 2, 30, tzinfo=dt.UTC).timestamp()
    claimed = private_copy(claim(path, home, "immunization"))
    assert claimed.received_at == SENT_AT


def test_a_name_already_waiting_is_never_replaced_and_no_name_is_a_path(home):
    first = deliver(home, "immunization", "bao_cao.xlsx", b"first", SENT_AT)
    second = deliver(home, "immunization", "bao_cao.xlsx", b"second", SENT_AT)
    hostile = deliver(home, "immunization", "../../../etc/x.xlsx", b"third", SENT_AT)
    assert (first.name, second.name) == ("bao_cao.xlsx", "(2) bao_cao.xlsx")
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")
    assert hostile.parent == home.source_inbox("immunization") and hostile.name == "x.xlsx"


def test_a_renamed_file_still_says_its_period_and_ward_to_every_contract():
    """A second file of the same name waits as '(2) name': every contract reads the same period and
    ward from it as from the name the office gave."""
    for contract in load_contracts().values():
        ward = "09541" if contract.ward_scope == "ward" else None
        for period in template_periods(contract, dt.date(2025, 7, 3))[:6]:
            name = template_file_name(contract, ward, period)
            assert identify(contract, f"(2) {name}") == identify(contract, name) == (period, ward), name


def test_excels_lock_file_name_is_not_kept(home):
    path = deliver(home, "immunization", "~$TCMR_MoLao_T03-2025.xlsx", b"x", SENT_AT)
    assert path.name == "_TCMR_MoLao_T03-2025.xlsx"
    assert skipped_entries(home, 0) == []  # the inbox takes it


@pytest.mark.parametrize("name", ["bao_cao.exe", "bao_cao", "bao_cao.xlsx.sh"])
def test_only_spreadsheets_and_csv_are_sent(home, name):
    with pytest.raises(NotSendable, match="không phải bảng tính hoặc CSV"):
        deliver(home, "immunization", name, b"x", SENT_AT)
    assert not home.source_inbox("immunization").exists() or not any(
        home.source_inbox("immunization").iterdir()
    )


def test_where_a_sent_file_stands(home, con):
    good, bad = _bytes("TCMR_MoLao_T03-2025.xlsx"), _bytes("TCMR_LaKhe_T03-2025.xlsx")
    deliver(home, "immunization", "TCMR_MoLao_T03-2025.xlsx", good, SENT_AT)
    deliver(home, "immunization", "TCMR_LaKhe_T03-2025.xlsx", bad, SENT_AT)
    assert standing(home, "immunization", file_id(good)).state == WAITING
    ingest_inbox(con, CONTRACT, home)
    loaded = standing(home, "immunization", file_id(good))
    assert (loaded.state, loaded.period, loaded.ward_code, loaded.rows_loaded, loaded.rows_rejected) == (
        LOADED,
        "2025-03",
        "09541",
        5,
        4,
    )
    assert loaded.receipt is not None and "ĐÃ NHẬN" in loaded.receipt.read_text(encoding="utf-8")
    set_aside = standing(home, "immunization", file_id(bad))
    assert set_aside.state == QUARANTINED and set_aside.reason.startswith("Thiếu cột bắt buộc: Ngày tiêm")

    # a later file of the same ward and period (a bad row taken out) replaces it
    book = openpyxl.load_workbook(IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx")
    book.active.delete_rows(loaded_rejects(home, con)[0])
    buffer = io.BytesIO()
    book.save(buffer)
    deliver(
        home, "immunization", "TCMR_MoLao_T03-2025.xlsx", buffer.getvalue(), SENT_AT + dt.timedelta(days=1)
    )
    ingest_inbox(con, CONTRACT, home)
    assert standing(home, "immunization", file_id(buffer.getvalue())).state == LOADED
    assert standing(home, "immunization", file_id(good)).state == SUPERSEDED


def test_the_check_says_what_a_file_would_do_to_the_one_in_force(home, con):
    deliver(home, "immunization", "TCMR_MoLao_T03-2025.xlsx", _bytes("TCMR_MoLao_T03-2025.xlsx"), SENT_AT)
    ingest_inbox(con, CONTRACT, home)  # 5 good rows in force for Mộ Lao, March 2025
    same_file = check_upload(home, CONTRACT, "sua.xlsx", _bytes("TCMR_MoLao_T03-2025.xlsx"))
    kind, text = replacing(home, CONTRACT, same_file, file_id(_bytes("TCMR_MoLao_T03-2025.xlsx")))
    assert kind == "same" and "(5 dòng, nhận 09:30 03/04/2025)" in text
    kind, text = replacing(home, CONTRACT, same_file, "another-file-id")  # the same rows in another file
    assert kind == "replaces"
    assert "thay thế tệp 'TCMR_MoLao_T03-2025.xlsx' (5 dòng, nhận 09:30 03/04/2025)" in text

    # two good rows of five: under the contract's half, ingestion holds it; the check says so first
    book = openpyxl.load_workbook(IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx")
    for row in sorted({*loaded_rejects(home, con), 6, 7, 8, 9}, reverse=True):
        book.active.delete_rows(row)
    buffer = io.BytesIO()
    book.save(buffer)
    fewer = check_upload(home, CONTRACT, "TCMR_MoLao_T03-2025.xlsx", buffer.getvalue())
    assert fewer.clean and fewer.rows_loaded == 2
    kind, text = replacing(home, CONTRACT, fewer, file_id(buffer.getvalue()))
    assert kind == "held" and text.startswith("Tệp có 2 dòng hợp lệ, chưa bằng 50% số dòng của tệp")
    deliver(
        home, "immunization", "TCMR_MoLao_T03-2025.xlsx", buffer.getvalue(), SENT_AT + dt.timedelta(days=1)
    )
    ingest_inbox(con, CONTRACT, home)
    assert standing(home, "immunization", file_id(buffer.getvalue())).state == HELD
    assert standing(home, "immunization", file_id(_bytes("TCMR_MoLao_T03-2025.xlsx"))).state == LOADED


def loaded_rejects(home, con) -> list[int]:
    return [
        r[0] for r in con.execute("select row_number from raw.row_rejects order by row_number").fetchall()
    ]
