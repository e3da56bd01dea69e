"""The report page's sign-off (AppTest on a serving copy with one report period): the ward officer
approves after seeing the ward's figures and warnings, the district leader once the wards have or with a
reason, the approved edition offered first; after a correction, the approved and current values side by
side and the amended edition; roles that may not approve see no button."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from base.clock import local_now
from signoff import ledger
from tests.dashboard.session import sign_in
from tests.signoff_home import PERIOD, WARD, correct, period_home

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
APPROVE_WARD, APPROVE_DISTRICT = "Phê duyệt số liệu của phường", "Phê duyệt bản toàn quận"


@pytest.fixture
def home(fixture_home, tmp_path, monkeypatch):
    home = period_home(fixture_home, tmp_path / "home")
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    return home


def _page(role: str, ward: str | None = None) -> AppTest:
    app = sign_in(AppTest.from_file(APP, default_timeout=60), role, ward).run()
    page = app.switch_page("views/reports.py").run()
    assert not page.exception, page.exception
    return page


def _texts(page: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in page.get(kind)]


def _button(page: AppTest, label: str):
    [button] = [b for b in page.button if b.label == label]
    return button


def _approve(page: AppTest, label: str, reason: str | None = None) -> AppTest:
    if reason is not None:
        page.text_area[0].input(reason)
    page.checkbox[0].check()
    page = _button(page, label).click().run()
    assert not page.exception, page.exception
    return page


def test_a_ward_officer_approves_the_ward_after_seeing_its_figures(home):
    page = _page("ward_officer", WARD)
    assert "Số liệu của phường chưa được phê duyệt." in _texts(page, "info")
    figures = page.dataframe[0].value
    assert list(figures.columns) == ["Chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ / số ca"] and len(figures) == 12
    page = _button(page, APPROVE_WARD).click().run()  # not confirmed: refused
    assert _texts(page, "error") == ["Hãy xác nhận đã xem số liệu trước khi phê duyệt."]
    assert ledger.approvals(home.root) == []

    page = _approve(page, APPROVE_WARD)
    [approval] = ledger.approvals(home.root)
    assert (approval.approval_id, approval.username, approval.ward_code) == (
        f"{PERIOD}.{WARD}.1",
        "ward-officer-09541",
        WARD,
    )
    when = f"{approval.approved_at:%d/%m/%Y %H:%M}"
    assert f"Số liệu của phường: Đã phê duyệt ngày {when}, bởi Thử ward_officer (mã {PERIOD}.{WARD}.1)" in (
        _texts(page, "success")
    )
    assert not [b for b in page.button if b.label == APPROVE_WARD]  # nothing left to approve


def test_the_district_leader_approves_then_sees_a_correction_side_by_side(home):
    page = _page("district_leader")
    wards = page.dataframe[0].value
    assert len(wards) == 15 and set(wards["Phê duyệt"]) == {"Chưa phê duyệt"}
    assert "15 phường chưa phê duyệt số liệu hiện nay: chờ các phường, hoặc ghi lý do." in _texts(
        page, "info"
    )
    page = _approve(page, APPROVE_DISTRICT, reason="")  # no reason: refused, with the wards named
    assert _texts(page, "error")[0].startswith(
        "Chưa thể phê duyệt bản toàn quận: phường Mộ Lao: chưa phê duyệt"
    )
    page = _approve(page, APPROVE_DISTRICT, reason="Hạn gửi thành phố")
    [approval] = ledger.approvals(home.root)
    assert approval.override_reason == "Hạn gửi thành phố"
    labels = [b.proto.label for b in page.get("download_button")]
    assert labels[:2] == ["Tải bản đã phê duyệt (Excel)", "Tải báo cáo (Excel)"]  # the frozen one first
    when = f"{approval.approved_at:%d/%m/%Y %H:%M}"
    assert f"Đã phê duyệt ngày {when}, bởi Thử district_leader (mã {PERIOD}.268.1)" in _texts(page, "caption")

    received = local_now().replace(microsecond=0) + dt.timedelta(minutes=1)
    before, after = correct(home, received)
    page = _page("district_leader")
    assert _texts(page, "warning")[0].startswith("Số liệu đã thay đổi sau khi quận phê duyệt")
    changes = page.dataframe[1].value
    assert changes[["Đơn vị", "Số liệu", "Đã phê duyệt", "Hiện nay"]].values.tolist() == [
        ["Mộ Lao", "Tử số", f"{before:.0f}", f"{after:.0f}"],
        ["Mộ Lao", "Tỷ lệ / số ca", changes.iloc[1]["Đã phê duyệt"], changes.iloc[1]["Hiện nay"]],
        ["Toàn quận", "Tử số", changes.iloc[2]["Đã phê duyệt"], changes.iloc[2]["Hiện nay"]],
        ["Toàn quận", "Tỷ lệ / số ca", changes.iloc[3]["Đã phê duyệt"], changes.iloc[3]["Hiện nay"]],
    ]
    assert (
        int(changes.iloc[2]["Hiện nay"].replace(".", ""))
        - int(changes.iloc[2]["Đã phê duyệt"].replace(".", ""))
        == 7
    )
    assert set(changes["Tệp nhận sau phê duyệt"]) == {
        f"Danh sách trẻ được tiêm chủng Tháng 3/2025, tệp c0ffee01 (gửi {received:%d/%m/%Y %H:%M})"
    }
    labels = [b.proto.label for b in page.get("download_button")]
    assert labels[:2] == ["Tải bản đã phê duyệt (Excel)", "Tải bản điều chỉnh (Excel)"]
    assert [b for b in page.button if b.label == APPROVE_DISTRICT]  # asked to approve again


@pytest.mark.parametrize(("role", "ward"), [("protection_officer", WARD), ("data_engineer", None)])
def test_roles_that_may_not_approve_see_no_button(home, role, ward):
    page = _page(role, ward)
    assert not [b for b in page.button if b.label in (APPROVE_WARD, APPROVE_DISTRICT)]
    assert any("kỹ sư dữ liệu dùng lệnh `treem approve`" in c for c in _texts(page, "caption"))


def test_a_ward_the_district_approved_without_sees_no_change_that_did_not_happen(home):
    from access.roles import Role, Viewer
    from reports import signoff

    signoff.approve(home, Viewer("ld", "Lãnh đạo", Role.DISTRICT_LEADER), PERIOD, override_reason="Hạn gửi")
    page = _page("ward_officer", WARD)
    assert "Số liệu của phường chưa được phê duyệt." in _texts(page, "info")
    assert not any("Hiện nay" in frame.value.columns for frame in page.dataframe)
    assert not any("không đổi" in c for c in _texts(page, "caption"))
    correct(home, local_now())
    page = _page("ward_officer", WARD)
    assert any("Hiện nay" in frame.value.columns for frame in page.dataframe)  # now it did change


def test_the_district_leader_sees_the_wards_to_wait_for_first_then_the_others_by_code(home):
    from access.roles import Role, Viewer
    from reports import signoff

    codes = list(signoff.load_period(home.serving, PERIOD).wards)
    last = codes[-1]
    for code in codes[:-1]:
        signoff.approve(home, Viewer(f"cb{code}", "Cán bộ", Role.WARD_OFFICER, code), PERIOD, code)
    wards = _page("district_leader").dataframe[0].value
    names = signoff.load_period(home.serving, PERIOD).wards
    assert list(wards["Phường"]) == [names[last], *(names[c] for c in codes[:-1])]
    assert wards["Phê duyệt"].iloc[0] == "Chưa phê duyệt"
