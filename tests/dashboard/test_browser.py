"""The real app in headless Chromium: the overview and a ward page render without an error block.

Starts `streamlit run dashboard/app.py` on a free port over the fixture home, drives Debian's
Chromium (/usr/bin/chromium) with Playwright (no browser download: `executable_path`), and saves a
screenshot of each page under pytest's temporary folder (never in git).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.dashboard.browser import ensure_account, render, start_dashboard, stop

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dashboard_url(fixture_pipeline, tmp_path_factory) -> Iterator[str]:
    home, _ = fixture_pipeline
    ensure_account(home.root)
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    process, url = start_dashboard(home.root, log)
    yield url
    stop(process)


def test_overview_renders_in_chromium(browser, dashboard_url, tmp_path):
    # the overview is the default page: Streamlit serves it at the root URL, whatever its url_path
    shot = tmp_path / "tong-quan.png"
    text = render(browser, f"{dashboard_url}/", "Tổng quan", shot)
    assert shot.stat().st_size > 10_000
    assert "Toàn quận" in text and "Dữ liệu tính đến" in text


def test_ward_page_renders_in_chromium(browser, dashboard_url, tmp_path):
    shot = tmp_path / "phuong-09541.png"
    text = render(browser, f"{dashboard_url}/phuong?ward=09541", "Phường", shot)
    assert shot.stat().st_size > 10_000
    assert "Mộ Lao –" in text  # the chosen ward's scorecard, from the URL's ward code


PAGES = {  # url path → title, the pages every role has
    "": "Tổng quan",
    "phuong?ward=09541": "Phường",
    "tiem-chung": "Y tế",
    "ho-tich-bhyt": "Hộ tịch & BHYT",
    "bao-ve-tre-em": "Bảo vệ trẻ em",
    "bao-cao": "Báo cáo định kỳ",
    "chat-luong-du-lieu": "Báo cáo & chất lượng dữ liệu",
}
ROLE_PAGES = {  # the pages of one role only
    "district_leader": {},
    "ward_officer": {"danh-sach": "Danh sách cần hỗ trợ"},
    "protection_officer": {"vu-viec": "Danh sách vụ việc bảo vệ trẻ em"},
    "data_engineer": {"nhat-ky": "Nhật ký truy cập"},
}
# words of Streamlit's or Python's own, and the warehouse's internal names, that must not reach a page
RAW = re.compile(
    r"\b(None|nan|NaN|NaT|null|Deploy|Stop|extract_calendar|vaccine_schedule|validation_rules"
    r"|(fct|dim|stg|int|agg)_\w+)\b|Press Enter to|Running\.\.\."
)


def _read_every_page(browser, url: str, folder, width: int, role: str) -> tuple[list[str], dict]:
    username = f"trinh-duyet-{role}".replace("_", "-")
    cut: list[str] = []
    raw: dict[str, list[str]] = {}
    for path, title in {**PAGES, **ROLE_PAGES[role]}.items():
        shot = folder / f"{role}-{path.split('?')[0] or 'tong-quan'}-{width}.png"
        text = render(browser, f"{url}/{path}", title, shot, width=width, cut=cut, username=username)
        if found := RAW.findall(text):
            raw[title] = found
    return cut, raw


@pytest.fixture(scope="module")
def role_accounts(fixture_pipeline) -> None:
    home, _ = fixture_pipeline
    for role in ROLE_PAGES:
        ward = "09541" if role == "ward_officer" else None
        ensure_account(home.root, f"trinh-duyet-{role}".replace("_", "-"), role, ward)


@pytest.mark.parametrize("width", [375, 1366, 1920])
def test_every_page_reads_whole_in_vietnamese_at_every_width(
    browser, dashboard_url, role_accounts, tmp_path, width
):
    """A phone, a laptop, a wide screen: no tile title or heading cut off, no Python `None`/`nan`, no
    English word of Streamlit's on any of the leader's pages."""
    assert _read_every_page(browser, dashboard_url, tmp_path, width, "district_leader") == ([], {})


@pytest.mark.parametrize("role", ["ward_officer", "protection_officer", "data_engineer"])
def test_every_page_of_every_role_reads_whole_in_vietnamese(
    browser, dashboard_url, role_accounts, tmp_path, role
):
    """The same for the other roles' pages (their own lists and logs included), on a laptop's width."""
    assert _read_every_page(browser, dashboard_url, tmp_path, 1366, role) == ([], {})


@pytest.mark.parametrize("width", [375, 1366])
def test_the_office_page_reads_whole_in_vietnamese(browser, dashboard_url, fixture_pipeline, tmp_path, width):
    """An office's one page, with what it owes from the serving copy: nothing cut off, no raw word."""
    home, _ = fixture_pipeline
    ensure_account(home.root, "trinh-duyet-office", "office", "09541", "immunization")
    cut: list[str] = []
    shot = tmp_path / f"office-{width}.png"
    text = render(
        browser, dashboard_url, "Nộp báo cáo", shot, width=width, cut=cut, username="trinh-duyet-office"
    )
    assert cut == [] and RAW.findall(text) == []
    assert "Các kỳ phải gửi" in text and "Hạn gửi tới: kỳ " in text
    assert "Tổng quan" not in text  # no other page in its navigation
