"""The real app in headless Chromium: the overview and a ward page render without an error block.

Starts `streamlit run dashboard/app.py` on a free port over the fixture home, drives Debian's
Chromium (/usr/bin/chromium) with Playwright (no browser download: `executable_path`), and saves a
screenshot of each page under pytest's temporary folder (never in git).
"""

from __future__ import annotations

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
