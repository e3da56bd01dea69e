"""The periodic-reports page: AppTest over the report home (choices, file name), the workbook it serves,
and a real download in headless Chromium; before any report period is covered, it says so."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from tests.conftest import PERIOD
from tests.dashboard.browser import ensure_account, start_dashboard, stop
from tests.dashboard.browser import sign_in as sign_in_browser
from tests.dashboard.session import sign_in

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PERIOD_LABEL = "Báo cáo Bộ chỉ tiêu trẻ em 6 tháng năm 2025 · hạn 12/05/2025"

pytestmark = pytest.mark.slow


def _page(home, monkeypatch, role: str = "district_leader", ward: str | None = None) -> AppTest:
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    app = sign_in(AppTest.from_file(APP, default_timeout=60), role, ward).run()
    return app.switch_page("views/reports.py").run()


def _report_buttons(page: AppTest) -> list:
    return [b for b in page.get("download_button") if b.proto.label == "Tải báo cáo (Excel)"]


@pytest.mark.parametrize(
    ("role", "ward", "editions"),
    [
        ("district_leader", None, ["Toàn quận"]),  # small counts hidden: the district's edition only
        ("data_engineer", None, ["Toàn quận"]),
        ("protection_officer", "09542", ["Phường Văn Quán"]),  # its own ward's, in full
        ("ward_officer", "09542", []),  # none: a ward's edition shows small counts in full
    ],
)
def test_each_role_exports_only_the_editions_it_may_see(report_home, monkeypatch, role, ward, editions):
    page = _page(report_home, monkeypatch, role, ward)
    assert not page.exception
    if editions:
        assert page.selectbox[1].options == editions
    else:
        assert any("không xuất báo cáo" in i.value for i in page.info) and not _report_buttons(page)


def test_periods_editions_and_the_file_name(report_home, monkeypatch):
    page = _page(report_home, monkeypatch, "protection_officer")
    assert not page.exception
    assert page.title[0].value == "Báo cáo định kỳ"
    period, edition = page.selectbox[:2]  # then the templates' choices
    assert period.options[0] == "Báo cáo kết quả công tác trẻ em năm 2025 · hạn 13/11/2025"  # latest first
    assert len(period.options) == 5 and PERIOD_LABEL in period.options
    assert edition.options[0] == "Toàn quận" and "Phường Mộ Lao" in edition.options
    assert len(edition.options) == 16
    page = period.select(PERIOD).run()
    page = page.selectbox[1].select("09541").run()
    assert any("tệp 2025-BCT-6T_09541-mo-lao.xlsx" in c.value for c in page.caption)
    assert page.get("download_button")[0].proto.label == "Tải báo cáo (Excel)"


def test_the_workbook_it_serves_is_the_wards_edition_and_the_export_is_logged(report_home, monkeypatch):
    page = _page(report_home, monkeypatch, "protection_officer", "09541")
    from access import audit
    from dashboard import auth, downloads
    from dashboard.queries import editions as editions_queries

    session = page.session_state["treem_session"]  # outside a run: the page's session
    monkeypatch.setattr(auth, "current_session", lambda: session)
    monkeypatch.setattr(auth, "current_viewer", lambda: session["viewer"])
    data = downloads.file_data(
        editions_queries.report_workbook(PERIOD, "09541"), "r.xlsx", (audit.EXPORT_REPORT, "09541", PERIOD)
    )
    wb = load_workbook(BytesIO(data()))
    assert wb["PL1 Bộ chỉ tiêu"]["B11"].value == "Mộ Lao" and wb["PL1 Bộ chỉ tiêu"]["B12"].value is None
    exports = [e for e in audit.entries(report_home.root) if e.action == audit.EXPORT_REPORT]
    assert (exports[0].username, exports[0].ward_code, exports[0].detail) == (
        "protection-officer-09541",
        "09541",
        PERIOD,
    )
    with pytest.raises(PermissionError):
        editions_queries.report_workbook(PERIOD, "09542")  # another ward's edition
    with pytest.raises(PermissionError):
        editions_queries.report_workbook(PERIOD)  # the district's


def test_before_a_report_period_is_covered_it_says_so(fixture_home, monkeypatch):
    home = fixture_home  # March 2025 only
    page = _page(home, monkeypatch)
    assert not page.exception
    assert "Chưa kỳ báo cáo nào có đủ số liệu" in page.info[0].value
    assert not _report_buttons(page)


def test_downloading_in_chromium_gives_the_district_workbook(report_home, browser, tmp_path):
    ensure_account(report_home.root)
    process, url = start_dashboard(report_home.root, tmp_path / "streamlit.log")
    page = browser.new_page()
    try:
        sign_in_browser(page, f"{url}/bao-cao")
        button = page.get_by_role("button", name="Tải báo cáo (Excel)")
        button.wait_for(timeout=60_000)
        with page.expect_download(timeout=60_000) as download:
            button.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    finally:
        page.close()
        stop(process)
    assert saved.name == "2025-KQ-N_268-toan-quan.xlsx"  # the latest period, district edition
    wb = load_workbook(saved)
    assert wb["PL1 Bộ chỉ tiêu"]["B26"].value == "Toàn quận Hà Đông"
    assert wb["PL1 Bộ chỉ tiêu"]["C26"].value == "=SUM(C11:C25)"


TEMPLATE_BUTTON = "Tải mẫu nhập liệu (Excel)"


@pytest.mark.parametrize(
    ("role", "ward"),
    [
        ("district_leader", None),
        ("data_engineer", None),
        ("protection_officer", "09542"),
        ("ward_officer", "09542"),
    ],
)
def test_every_role_downloads_templates_even_before_a_report_period(fixture_home, monkeypatch, role, ward):
    from ingestion.contract import load_contracts

    home = fixture_home  # no report period covered: the report part stops, the templates follow
    page = _page(home, monkeypatch, role, ward)
    assert not page.exception
    assert "Mẫu nhập liệu" in [h.value for h in page.subheader]
    source = page.selectbox(key="template_source")
    assert sorted(source.options) == sorted(
        c.name_vi + f" ({c.sender_vi})" for c in load_contracts().values()
    )
    page = source.select("immunization").run()
    assert not page.exception
    wards = page.selectbox(key="template_ward")
    assert wards.value == (ward or "")  # a ward's account: its own ward, and no other offered
    assert len(wards.options) == (1 if ward else 16), wards.options
    assert [b.proto.label for b in page.get("download_button")] == [TEMPLATE_BUTTON]


def test_the_template_section_under_the_reports(report_home, monkeypatch):
    from base.clock import local_now
    from ingestion.contract import load_contracts
    from ingestion.template_request import period_line, template_periods

    page = _page(report_home, monkeypatch, "district_leader")
    assert not page.exception
    page = page.selectbox(key="template_source").select("health_insurance").run()
    assert not page.exception and not [s for s in page.selectbox if s.key == "template_ward"]  # district-wide
    assert "tệp health-insurance_T" in page.caption[-1].value
    page = page.selectbox(key="template_source").select("child_register").run()
    periods = template_periods(load_contracts()["child_register"], local_now().date())
    box = page.selectbox(key="template_period_child_register")
    assert box.options[0] == period_line(periods[0]) and period_line(periods[0]).startswith("Quý")
    page = box.select(periods[1].key).run()
    page = page.selectbox(key="template_ward").select("09541").run()
    assert not page.exception
    quarter = periods[1].key.split("-")[1]
    assert page.caption[-1].value.endswith(f"tệp child-register_MoLao_{quarter}-{periods[1].start.year}.xlsx")
    labels = [b.proto.label for b in page.get("download_button")]
    assert labels == ["Tải báo cáo (Excel)", TEMPLATE_BUTTON]
