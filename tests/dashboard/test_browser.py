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


PAGES = {  # url path → title, every page the district leader has
    "": "Tổng quan",
    "phuong?ward=09541": "Phường",
    "tiem-chung": "Y tế",
    "ho-tich-bhyt": "Hộ tịch & BHYT",
    "bao-ve-tre-em": "Bảo vệ trẻ em",
    "bao-cao": "Báo cáo định kỳ",
    "chat-luong-du-lieu": "Báo cáo & chất lượng dữ liệu",
}
# words of Streamlit's or Python's own that must not reach a Vietnamese page
RAW = re.compile(r"\b(None|nan|NaN|NaT|null|Deploy|Press Enter to|Running\.\.\.)")


@pytest.mark.parametrize("width", [375, 1366, 1920])
def test_every_page_reads_whole_in_vietnamese_at_every_width(browser, dashboard_url, tmp_path, width):
    """A phone, a laptop, a wide screen: no tile title or heading cut off, no Python `None`/`nan`, no
    English word of Streamlit's on any of the leader's pages."""
    cut: list[str] = []
    raw: dict[str, list[str]] = {}
    for path, title in PAGES.items():
        shot = tmp_path / f"{path.split('?')[0] or 'tong-quan'}-{width}.png"
        text = render(browser, f"{dashboard_url}/{path}", title, shot, width=width, cut=cut)
        if found := RAW.findall(text):
            raw[title] = found
    assert cut == []
    assert raw == {}
