"""Sign-off on the fixture home's serving copy, given the figures of one report period (its March figures
under the key of the 6-month report): approvals by role, the frozen editions and their rebuild from the
snapshot, a correction that leaves them as they were and makes the current workbooks amended editions
listing exactly the changed figures, withdrawal, and the receipt of a file for an approved period."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from io import BytesIO

import duckdb
import pytest
from openpyxl import load_workbook

from access import audit
from access.roles import Role, Viewer
from base.clock import local_now
from base.home import Home
from ingestion.contract import load_contracts
from ingestion.load import ingest_inbox
from ingestion.registry import ensure_raw_schema
from reports import signoff
from reports.build import build_all, build_workbook, report_file_name
from reports.data import load_report_data
from reports.signoff import SignoffError
from reports.snapshot import figures_hash, from_json, to_json
from signoff import ledger
from signoff.ledger import Approval
from tests.conftest import drop_fixtures
from tests.signoff_home import PERIOD, WARD, correct, period_home
from treem.cli import main

OTHER = "09542"  # Văn Quán
LEADER = Viewer("lanh.dao", "Phó Chủ tịch UBND quận", Role.DISTRICT_LEADER)


def officer(code: str) -> Viewer:
    return Viewer(f"cb-{code}", f"Cán bộ {code}", Role.WARD_OFFICER, code)


@pytest.fixture
def home(fixture_home, tmp_path) -> Home:
    return period_home(fixture_home, tmp_path / "home")


def _wards(home: Home) -> list[str]:
    return list(signoff.load_period(home.serving, PERIOD).wards)


def _approve_everything(home: Home) -> Approval:
    for code in _wards(home):
        signoff.approve(home, officer(code), PERIOD, code)
    return signoff.approve(home, LEADER, PERIOD)


def _sheet_rows(content: bytes, sheet: str) -> list[tuple]:
    ws = load_workbook(BytesIO(content))[sheet]
    return [row for row in ws.iter_rows(values_only=True) if isinstance(row[0], int)]


def test_a_snapshot_gives_back_the_same_figures_and_the_same_bytes(home):
    data = load_report_data(home.serving, PERIOD)
    again = from_json(to_json(data))
    assert figures_hash(again) == figures_hash(data)
    assert again.indicators == data.indicators and again.doses == data.doses
    moment = dt.datetime(2025, 5, 12, 9, 30)
    first = signoff.workbook_bytes(build_workbook(again), moment)
    assert signoff.workbook_bytes(build_workbook(from_json(to_json(data))), moment) == first
    # one figure more and the hash differs
    data.indicators[0] = data.indicators[0] | {"numerator": (data.indicators[0]["numerator"] or 0) + 1}
    assert figures_hash(data) != figures_hash(again)


def test_the_approved_edition_stays_as_sent_and_a_correction_makes_an_amended_edition(home):
    approval = _approve_everything(home)
    folder = signoff.frozen_folder(home, approval)
    frozen = {p.name: p.read_bytes() for p in folder.glob("*.xlsx")}
    assert len(frozen) == 16  # the district's edition and the 15 wards'
    for edition in ledger.snapshot_hashes(home.root, approval.approval_id):
        path = signoff.frozen_path(home, approval, edition)
        assert signoff.frozen_bytes(home, approval, edition) == path.read_bytes()  # rebuilt byte for byte
    district_file = report_file_name(PERIOD)
    subtitle = " ".join(
        str(c)
        for c in next(
            load_workbook(folder / district_file)["PL1 Bộ chỉ tiêu"].iter_rows(
                min_row=6, max_row=6, values_only=True
            )
        )
        if c
    )
    assert subtitle.endswith(
        f"Đã phê duyệt ngày {approval.approved_at:%d/%m/%Y %H:%M}, bởi Phó Chủ tịch UBND quận (mã phê duyệt "
        f"{PERIOD}.268.1)."
    )
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.xlsx")}

    received = local_now() + dt.timedelta(minutes=5)
    before, after = correct(home, received)
    built = build_all(home.serving, home.reports, home=home)

    assert {p.name: p.read_bytes() for p in folder.glob("*.xlsx")} == frozen  # the same bytes
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.xlsx")} == stamps  # never rewritten
    assert not any(p.parent == folder for p in built.written)
    current = home.reports / PERIOD
    district = (current / district_file).read_bytes()
    changes = _sheet_rows(district, "PL0 Thay đổi")
    name = "Tỷ lệ trẻ dưới 6 tuổi có thẻ BHYT"
    assert [row[1:4] for row in changes] == [
        ("Mộ Lao", name, "Tử số"),
        ("Mộ Lao", name, "Tỷ lệ / số ca"),
        ("Toàn quận", name, "Tử số"),
        ("Toàn quận", name, "Tỷ lệ / số ca"),
    ]
    assert changes[0][4:6] == (f"{before:.0f}", f"{after:.0f}")
    assert {row[6] for row in changes} == {
        f"Danh sách trẻ được tiêm chủng Tháng 3/2025, tệp c0ffee01 (gửi {received:%d/%m/%Y %H:%M})"
    }
    ward_file = current / report_file_name(PERIOD, WARD, "Mộ Lao")
    assert [row[1:6] for row in _sheet_rows(ward_file.read_bytes(), "PL0 Thay đổi")] == [
        row[1:6] for row in changes[:2]
    ]
    untouched = load_workbook(current / report_file_name(PERIOD, OTHER, "Văn Quán"))
    assert "PL0 Thay đổi" not in untouched.sheetnames  # Văn Quán's figures did not change
    # the wards' approvals and the district's ask to be given again
    figures = signoff.load_period(home.serving, PERIOD)
    forced = ledger.in_force(home.root, PERIOD)
    assert signoff.wards_waiting(forced, figures) == [
        ("Mộ Lao", f"số liệu đã thay đổi sau phê duyệt {PERIOD}.{WARD}.1")
    ]
    assert forced["268"].figures_hash != figures.hash_of(None)
    # every approval is in the audit log, with the hash of the figures approved
    entries = [e for e in audit.entries(home.root) if e.action == audit.APPROVE_PERIOD]
    assert len(entries) == 16
    assert entries[0].username == "lanh.dao" and entries[0].detail.endswith(approval.figures_hash)

    # approved again: a second frozen edition, the first one kept, the current one plain again
    signoff.approve(home, officer(WARD), PERIOD, WARD)
    second = signoff.approve(home, LEADER, PERIOD)
    assert second.approval_id == f"{PERIOD}.268.2"
    assert {p.name: p.read_bytes() for p in folder.glob("*.xlsx")} == frozen
    assert "PL0 Thay đổi" not in load_workbook(current / district_file).sheetnames
    assert (signoff.frozen_folder(home, second) / district_file).read_bytes() != frozen[district_file]


def test_the_district_waits_for_its_wards_or_a_reason(home):
    wards = _wards(home)
    with pytest.raises(SignoffError, match="Chưa thể phê duyệt bản toàn quận: phường Mộ Lao: chưa phê duyệt"):
        signoff.approve(home, LEADER, PERIOD)
    for code in wards[1:]:
        signoff.approve(home, officer(code), PERIOD, code)
    with pytest.raises(
        SignoffError, match=r"^Chưa thể phê duyệt bản toàn quận: phường Mộ Lao: chưa phê duyệt\."
    ):
        signoff.approve(home, LEADER, PERIOD)
    done = signoff.approve(home, LEADER, PERIOD, override_reason="Hạn gửi thành phố 13/5, phường ốm")
    assert done.override_reason == "Hạn gửi thành phố 13/5, phường ốm"
    assert "lý do: Hạn gửi thành phố 13/5" in audit.entries(home.root, 1)[0].detail
    with pytest.raises(SignoffError, match="đã được phê duyệt .* và số liệu chưa đổi"):
        signoff.approve(home, LEADER, PERIOD, override_reason="lần nữa")


def test_figures_that_changed_after_the_approver_looked_are_not_approved(home):
    seen = signoff.load_period(home.serving, PERIOD, WARD).hash_of(WARD)
    correct(home, local_now())
    with pytest.raises(SignoffError, match="Số liệu vừa được cập nhật sau khi bạn xem"):
        signoff.approve(home, officer(WARD), PERIOD, WARD, seen_hash=seen)
    assert ledger.approvals(home.root) == []


@pytest.mark.parametrize(
    ("viewer", "ward"),
    [
        (officer(OTHER), WARD),  # another ward's officer
        (officer(WARD), None),  # a ward officer, the district's edition
        (LEADER, WARD),  # the district leader, a ward's figures
        (Viewer("bv", "Cán bộ bảo vệ", Role.PROTECTION_OFFICER, WARD), WARD),
        (Viewer("bv", "Cán bộ bảo vệ", Role.PROTECTION_OFFICER), None),
        (Viewer("tyt", "Trạm y tế", Role.OFFICE, WARD, "immunization"), WARD),
    ],
)
def test_roles_that_may_not_approve_cannot(home, viewer, ward):
    with pytest.raises(SignoffError, match="không được phê duyệt"):
        signoff.approve(home, viewer, PERIOD, ward)
    assert ledger.approvals(home.root) == []
    assert [e for e in audit.entries(home.root) if e.action == audit.APPROVE_PERIOD] == []


def test_a_withdrawal_needs_a_reason_keeps_the_frozen_edition_and_is_logged(home):
    approval = _approve_everything(home)
    frozen = signoff.frozen_folder(home, approval) / report_file_name(PERIOD)
    content = frozen.read_bytes()
    with pytest.raises(SignoffError, match="cần ghi lý do"):
        signoff.withdraw(home, LEADER, approval.approval_id, "  ")
    with pytest.raises(SignoffError, match="không được huỷ"):
        signoff.withdraw(home, officer(WARD), approval.approval_id, "sai")
    signoff.withdraw(home, LEADER, approval.approval_id, "Số liệu Mộ Lao chưa đủ")
    assert "268" not in ledger.in_force(home.root, PERIOD)
    [withdrawn] = [a for a in ledger.approvals(home.root) if a.approval_id == approval.approval_id]
    assert (withdrawn.withdrawn_by, withdrawn.withdraw_reason) == ("lanh.dao", "Số liệu Mộ Lao chưa đủ")
    assert frozen.read_bytes() == content
    last = audit.entries(home.root, 1)[0]
    assert (last.action, last.detail) == (
        audit.WITHDRAW_APPROVAL,
        f"{approval.approval_id}: {approval.period_label}; lý do: Số liệu Mộ Lao chưa đủ",
    )
    with pytest.raises(SignoffError, match="Không có phê duyệt"):
        signoff.withdraw(home, LEADER, approval.approval_id, "lần nữa")


def test_the_ledger_keeps_its_rows(home):
    _approve_everything(home)
    raw = sqlite3.connect(ledger.ledger_path(home.root))
    for statement in ("update approvals set username = 'x'", "delete from approved_figures"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    raw.close()


def test_a_file_for_an_approved_period_loads_and_its_receipt_says_so(home, tmp_path):
    approval = Approval(
        f"{PERIOD}.{WARD}.1",
        PERIOD,
        "Báo cáo Bộ chỉ tiêu trẻ em 6 tháng năm 2025",
        dt.date(2025, 1, 1),
        dt.date(2025, 4, 30),
        WARD,
        "phường Mộ Lao",
        dt.datetime(2025, 5, 10, 8, 0),
        "cb-09541",
        "Cán bộ Mộ Lao",
        "ward_officer",
        hashlib.sha256(b"x").hexdigest(),
    )
    ledger.record(home.root, approval, [], {})
    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx", "TCMR_VanQuan_T03-2025.xlsx")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(con, list(load_contracts().values()))
    outcomes = {o.file_name: o for o in ingest_inbox(con, load_contracts()["immunization"], home)}
    con.close()
    assert {name: o.outcome for name, o in outcomes.items()} == {
        "TCMR_MoLao_T03-2025.xlsx": "loaded",
        "TCMR_VanQuan_T03-2025.xlsx": "loaded",
    }
    receipts = {
        p.name.split("__")[1]: p.read_text(encoding="utf-8")
        for p in (home.archive / "immunization" / "2025-03").glob("*.receipt.txt")
    }
    assert (
        "  - Báo cáo Bộ chỉ tiêu trẻ em 6 tháng năm 2025 (2025-BCT-6T), phường Mộ Lao: phê duyệt ngày "
        "10/05/2025 08:00 bởi Cán bộ Mộ Lao (mã 2025-BCT-6T.09541.1)"
    ) in receipts["TCMR_MoLao_T03-2025.xlsx.receipt.txt"]
    assert (
        "LƯU Ý: số liệu của tệp thuộc kỳ báo cáo đã được phê duyệt"
        in receipts["TCMR_MoLao_T03-2025.xlsx.receipt.txt"]
    )
    assert "phê duyệt" not in receipts["TCMR_VanQuan_T03-2025.xlsx.receipt.txt"]  # another ward's file


def test_treem_approve_approves_lists_and_withdraws_as_the_data_engineer(home, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ky.su")
    root = ["--home", str(home.root)]
    assert main([*root, "approve", PERIOD, "--ward", WARD]) == 0
    assert f"mã {PERIOD}.{WARD}.1" in capsys.readouterr().out
    assert main([*root, "approve", PERIOD]) == 2  # the other wards have not approved
    assert "Chưa thể phê duyệt bản toàn quận: phường Văn Quán: chưa phê duyệt" in capsys.readouterr().err
    assert main([*root, "approve", PERIOD, "--override", "Gửi thành phố đúng hạn"]) == 0
    out = capsys.readouterr().out
    assert f"Bản đã phê duyệt (không ghi lại): {home.reports / PERIOD / f'phe-duyet-{PERIOD}.268.1'}" in out
    assert main([*root, "approve", "--withdraw", f"{PERIOD}.268.1"]) == 2
    assert "Huỷ phê duyệt cần ghi lý do." in capsys.readouterr().err
    assert main([*root, "approve", "--withdraw", f"{PERIOD}.268.1", "--reason", "Sai kỳ"]) == 0
    capsys.readouterr()
    assert main([*root, "approve", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert (
        listed[0].split()[0] == f"{PERIOD}.{WARD}.1" and "bởi ky.su (kỹ sư dữ liệu, dòng lệnh)" in listed[0]
    )
    assert listed[1].endswith("không chờ các phường: Gửi thành phố đúng hạn")
    assert "đã huỷ" in listed[1] and "bởi ky.su: Sai kỳ" in listed[1]
    assert [e.action for e in audit.entries(home.root)][:3] == [
        audit.WITHDRAW_APPROVAL,
        audit.APPROVE_PERIOD,
        audit.APPROVE_PERIOD,
    ]


def test_a_withdrawal_brings_back_no_earlier_approval(home):
    first = _approve_everything(home)
    correct(home, local_now())
    signoff.approve(home, officer(WARD), PERIOD, WARD)
    second = signoff.approve(home, LEADER, PERIOD)
    signoff.withdraw(home, LEADER, second.approval_id, "Sai số liệu BHYT")
    assert "268" not in ledger.in_force(home.root, PERIOD)  # not the first one again
    with pytest.raises(SignoffError, match="Không có phê duyệt"):
        signoff.withdraw(home, LEADER, first.approval_id, "cũ")
    plain = load_workbook(home.reports / PERIOD / report_file_name(PERIOD))
    assert "PL0 Thay đổi" not in plain.sheetnames  # nothing in force to amend


def test_two_sessions_never_both_approve(home):
    """The decision reads the approvals in force; the ledger records it only if they are still those."""
    data = load_report_data(home.serving, PERIOD, WARD)
    decided = Approval(
        "", PERIOD, "6 tháng", data.period.start, data.period.end, WARD, "phường Mộ Lao",
        local_now(), "cb", "Cán bộ", "ward_officer", figures_hash(data),
    )  # fmt: skip
    made = ledger.record(home.root, decided, [], {})
    assert made.approval_id == f"{PERIOD}.{WARD}.1"
    with pytest.raises(ledger.Conflict):
        ledger.record(home.root, decided, [], {})  # the other session read no approval in force
    with pytest.raises(ledger.Conflict):
        ledger.withdraw(home.root, decided, local_now(), "cb", "ward_officer", "x")  # not the one in force
    assert len(ledger.approvals(home.root)) == 1


def test_a_rejected_file_or_a_correction_that_changes_no_figure_keeps_the_approval(home):
    signoff.approve(home, officer(WARD), PERIOD, WARD)
    con = duckdb.connect(str(home.serving))
    con.execute(
        "update fct_report_submissions set files_quarantined = files_quarantined + 1, "
        "quarantined_file_name = 'TCMR_MoLao_T03-2025 (2).xlsx', current_file_id = 'feedface00000000' "
        "where org_unit_code = ? and period_key = '2025-03'",
        [WARD],
    )
    con.close()
    figures = signoff.load_period(home.serving, PERIOD)
    assert signoff.wards_waiting(ledger.in_force(home.root, PERIOD), figures)[0][0] != "Mộ Lao"
    assert ledger.in_force(home.root, PERIOD)[WARD].figures_hash == figures.hash_of(WARD)


def test_the_ledger_state_changes_with_each_approval_and_withdrawal(home):
    assert ledger.state(home.root) == "no ledger"
    done = signoff.approve(home, officer(WARD), PERIOD, WARD)
    assert ledger.state(home.root) == "approvals 1, withdrawals 0"
    signoff.withdraw(home, officer(WARD), done.approval_id, "nhầm")
    assert ledger.state(home.root) == "approvals 1, withdrawals 1"
