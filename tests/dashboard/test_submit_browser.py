"""The office's page in headless Chromium: an office signs in, checks a file with bad rows and reads the
reasons, sends a corrected file, and after the next ingestion sees it loaded; another office sees none
of it. Screenshots go under pytest's temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingestion.contract import load_contracts
from ingestion.dry_run import dry_run
from ingestion.load import ingest_inbox
from ingestion.registry import ensure_raw_schema
from tests.conftest import IMMUNIZATION_FIXTURES, fresh_home
from tests.dashboard.browser import BROWSER_PASSWORD, ensure_account, sign_in, start_dashboard, stop

pytestmark = pytest.mark.slow

CONTRACT = load_contracts()["immunization"]
BAD = IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx"


def _corrected(home, folder: Path) -> Path:
    """The Mộ Lao file with its rejected rows taken out, as a clerk would correct it."""
    rejected = sorted({r.row_number for r in dry_run(BAD, CONTRACT, home).rejects}, reverse=True)
    book = openpyxl.load_workbook(BAD)
    for row in rejected:
        book.active.delete_rows(row)
    path = folder / BAD.name
    book.save(path)
    assert dry_run(path, CONTRACT, home).clean
    return path


@pytest.fixture
def office_home(tmp_path) -> Iterator[tuple]:
    home = fresh_home(tmp_path / "home")
    for username, ward in (("tram-molao", "09541"), ("tram-vanquan", "09542")):
        from access import accounts
        from access.roles import Role

        accounts.add_account(home.root, username, BROWSER_PASSWORD, Role.OFFICE, ward, source="immunization")
    ensure_account(home.root)
    process, url = start_dashboard(home.root, tmp_path / "streamlit.log")
    yield home, url
    stop(process)


def _settled(page) -> None:
    finished = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    for _ in range(2):
        page.wait_for_function(finished, timeout=60_000)
        page.wait_for_timeout(500)


def _upload(page, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    _settled(page)


def test_an_office_checks_sends_and_sees_its_file_loaded(browser, office_home, tmp_path):
    home, url = office_home
    page = browser.new_page()
    page.set_viewport_size({"width": 1366, "height": 1600})
    try:
        sign_in(page, url, "tram-molao")
        page.get_by_role("heading", name="Nộp báo cáo", exact=True).wait_for(timeout=60_000)
        _settled(page)
        _upload(page, BAD)
        page.get_by_text("4 dòng bị loại", exact=False).first.wait_for(timeout=30_000)
        text = page.locator("body").inner_text()
        assert "Hiểu là: kỳ 2025-03, Mộ Lao" in text
        page.screenshot(path=str(tmp_path / "1-checked.png"), full_page=True)

        _upload(page, _corrected(home, tmp_path))
        page.get_by_text("Tệp đạt: 5 dòng sẽ được nạp", exact=False).wait_for(timeout=30_000)
        page.get_by_role("button", name="Gửi tệp").click()
        page.get_by_text("Đã gửi lúc", exact=False).wait_for(timeout=30_000)
        _settled(page)
        assert "Đang chờ nạp (lần chạy tới)" in page.locator("body").inner_text()
        page.screenshot(path=str(tmp_path / "2-sent.png"), full_page=True)

        con = duckdb.connect(str(home.warehouse))
        ensure_raw_schema(con, list(load_contracts().values()))
        (outcome,) = ingest_inbox(con, CONTRACT, home)
        con.close()
        assert (outcome.outcome, outcome.rows_loaded) == ("loaded", 5)
        sign_in(page, url, "tram-molao")  # a new visit: the page as the office finds it after the run
        page.get_by_text("Đã nạp", exact=True).wait_for(timeout=60_000)
        assert "5 dòng, 0 bị loại" in page.locator("body").inner_text()
        page.screenshot(path=str(tmp_path / "3-loaded.png"), full_page=True)
    finally:
        page.close()

    other = browser.new_page()
    try:
        sign_in(other, url, "tram-vanquan")
        other.get_by_text("Chưa gửi tệp nào", exact=False).wait_for(timeout=60_000)
        assert "TCMR_MoLao" not in other.locator("body").inner_text()
    finally:
        other.close()
