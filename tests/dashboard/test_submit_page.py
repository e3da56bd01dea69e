"""The office's page, through AppTest: a file checked before sending (its rejected rows and why), sent
into the inbox at the time it was sent, its state after ingestion; one office never sees another's."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access import audit
from base.clock import local_now
from base.home import Home
from ingestion.contract import load_contracts
from ingestion.load import ingest_inbox
from ingestion.registry import ensure_raw_schema
from ingestion.submission import file_id
from tests.conftest import IMMUNIZATION_FIXTURES, fresh_home
from tests.dashboard.session import sign_in

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
MO_LAO, VAN_QUAN, LA_KHE = "09541", "09542", "09551"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Home:
    home = fresh_home(tmp_path / "home")
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    return home


def _office(ward: str = MO_LAO) -> AppTest:
    return sign_in(AppTest.from_file(APP, default_timeout=60), "office", ward, "immunization").run()


def _upload(app: AppTest, name: str) -> AppTest:
    content = (IMMUNIZATION_FIXTURES / name).read_bytes()
    return app.file_uploader(key="upload").set_value((name, content, "application/octet-stream")).run()


def _send_key(name: str) -> str:
    return f"send_{file_id((IMMUNIZATION_FIXTURES / name).read_bytes())}"


def _ingest(home: Home) -> None:
    con = duckdb.connect(str(home.warehouse))
    ensure_raw_schema(con, list(load_contracts().values()))
    ingest_inbox(con, load_contracts()["immunization"], home)
    con.close()


def test_an_office_checks_sends_and_follows_its_file(home):
    app = _office()
    assert [t.value for t in app.title] == ["Nộp báo cáo"]
    app = _upload(app, "TCMR_MoLao_T03-2025.xlsx")
    assert not app.exception
    assert "kỳ 2025-03, Mộ Lao" in app.markdown[-1].value or any(
        "kỳ 2025-03" in m.value for m in app.markdown
    )
    (warning,) = app.warning
    assert warning.value.startswith("5 dòng sẽ được nạp, 4 dòng bị loại")
    rejects = app.table[0].value
    assert list(rejects.columns) == ["Cột", "Giá trị", "Lý do"]
    assert rejects.index.tolist() == [10, 11, 12, 13]  # the sheet rows, as the clerk finds them in Excel
    assert rejects.loc[11, "Lý do"] == "Không nhận ra phường 'Xuân Thủy'"
    inbox = home.source_inbox("immunization")
    assert not inbox.exists() or not list(inbox.iterdir())  # checked, not sent

    before = time.time()
    send = app.button(key=_send_key("TCMR_MoLao_T03-2025.xlsx"))
    assert send.label == "Gửi dù có dòng bị loại"
    app = send.click().run()
    (sent,) = list(inbox.iterdir())
    assert sent.name == "TCMR_MoLao_T03-2025.xlsx"
    assert sent.read_bytes() == (IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx").read_bytes()
    assert abs(sent.stat().st_mtime - before) < 30  # the time it was sent, not the file's own
    states = app.table[-1].value
    assert states["Trạng thái"].tolist() == ["Đang chờ nạp (lần chạy tới)"]
    assert [b.label for b in app.button] == ["Đăng xuất"]  # sent once: no second send of the same file
    assert any(s.value.startswith("Đã gửi lúc") for s in app.success)

    entries = audit.entries_of(
        home.root, "office-09541-immunization", (audit.CHECK_EXTRACT, audit.SEND_EXTRACT)
    )
    assert [e.action for e in entries] == [audit.SEND_EXTRACT, audit.CHECK_EXTRACT]
    detail = json.loads(entries[0].detail)
    assert (detail["file_name"], detail["verdict"], entries[0].ward_code) == (
        "TCMR_MoLao_T03-2025.xlsx",
        "rows_rejected",
        MO_LAO,
    )

    _ingest(home)
    after = _office()
    (receipt,) = after.expander
    assert receipt.label.startswith("Biên nhận: TCMR_MoLao_T03-2025.xlsx")
    assert "KẾT QUẢ: ĐÃ NHẬN – kỳ 2025-03, phường Mộ Lao." in receipt.code[0].value
    states = after.table[-1].value
    assert states[["Kỳ", "Trạng thái", "Số dòng / lý do"]].values.tolist() == [
        ["2025-03", "Đã nạp", "5 dòng, 4 bị loại"]
    ]
    # another office (another ward) sees none of it
    other = _office(VAN_QUAN)
    assert not other.table
    assert any("Chưa gửi tệp nào" in c.value for c in other.caption)


def test_a_file_of_another_ward_cannot_be_sent(home):
    app = _upload(_office(MO_LAO), "TCMR_VanQuan_T03-2025.xlsx")
    assert any("Tệp ghi phường Văn Quán" in e.value for e in app.error)
    assert [b.label for b in app.button] == ["Đăng xuất"]  # no send button


def test_a_file_that_would_be_set_aside_says_why_and_can_still_be_sent(home):
    app = _upload(_office(LA_KHE), "TCMR_LaKhe_T03-2025.xlsx")
    assert any("Cả tệp sẽ bị cách ly: Thiếu cột bắt buộc: Ngày tiêm" in e.value for e in app.error)
    assert app.button(key=_send_key("TCMR_LaKhe_T03-2025.xlsx")).label == "Gửi dù tệp sẽ bị cách ly"


def test_an_account_checks_a_limited_number_of_files_an_hour(home, monkeypatch):
    monkeypatch.setenv("TREEM_UPLOADS_PER_HOUR", "1")
    app = _upload(_office(), "TCMR_MoLao_T03-2025.xlsx")
    assert not app.error
    app = _upload(app, "TCMR_PhuLa_T03-2025.xlsx")
    assert any("1 tệp trong một giờ qua" in e.value for e in app.error)


def test_an_office_has_only_its_page_and_no_one_else_has_it(home):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        _office().switch_page("views/overview.py")
    leader = sign_in(AppTest.from_file(APP, default_timeout=60), "district_leader").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        leader.switch_page("views/submit.py")


def test_the_office_sees_what_it_owes_as_the_quality_page_counts_it(fixture_home, home):
    shutil.copy(fixture_home.serving, home.serving)
    row = (
        duckdb.connect(str(home.serving), read_only=True)
        .execute(
            "select period_key, deadline, received, on_time, days_late from fct_report_submissions "
            "where source = 'immunization' and org_unit_code = ? and expected order by period_end desc",
            [MO_LAO],
        )
        .fetchall()
    )
    app = _office()
    owed = app.table[-1].value
    assert owed.index.tolist() == [r[0] for r in row][:12]
    key, due, received, on_time, days_late = row[0]
    expected = (
        "Đã gửi đúng hạn"
        if received and on_time
        else f"Gửi muộn ({days_late} ngày)"
        if received
        else "Chưa đến hạn"
        if due >= local_now().date()
        else "Chưa gửi, đã quá hạn"
    )
    assert owed.loc[key, "Tình trạng"] == expected
    assert owed.loc[key, "Hạn gửi"] == due.strftime("%d/%m/%Y")
    assert any(i.value.startswith("Hạn gửi tới: kỳ ") for i in app.info)


def test_another_account_on_the_same_browser_checks_and_sends_for_itself(home):
    app = _upload(_office(), "TCMR_MoLao_T03-2025.xlsx")
    app = app.button(key=_send_key("TCMR_MoLao_T03-2025.xlsx")).click().run()
    assert any(s.value.startswith("Đã gửi lúc") for s in app.success)
    # the same session, now an office of another source in the same ward (a shared computer)
    other = sign_in(app, "office", MO_LAO, "birth_registration").run()
    assert not other.table  # nothing it sent
    other = _upload(other, "TCMR_MoLao_T03-2025.xlsx")
    assert not any(s.value.startswith("Đã gửi lúc") for s in other.success)
    checks = audit.entries_of(home.root, "office-09541-birth-registration", (audit.CHECK_EXTRACT,))
    assert len(checks) == 1  # checked against its own contract, not the other account's verdict


def test_sends_count_towards_the_hourly_limit(home, monkeypatch):
    monkeypatch.setenv("TREEM_UPLOADS_PER_HOUR", "2")
    app = _upload(_office(), "TCMR_MoLao_T03-2025.xlsx")  # 1: the check
    app = app.button(key=_send_key("TCMR_MoLao_T03-2025.xlsx")).click().run()  # 2: the send
    assert any(s.value.startswith("Đã gửi lúc") for s in app.success)
    app = _upload(app, "TCMR_PhuLa_T03-2025.xlsx")
    assert any("2 tệp trong một giờ qua" in e.value for e in app.error)
