"""The real app in headless Chromium: the overview and a ward page render without an error block.

Starts `streamlit run dashboard/app.py` on a free port over the fixture home, drives Debian's
Chromium (/usr/bin/chromium) with Playwright (no browser download: `executable_path`), and saves a
screenshot of each page under pytest's temporary folder (never in git).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
# flags headless Chromium needs on this project's machines (closed network, running as root)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_dashboard(home_root: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run` the dashboard over `home_root`; the process and its base URL, once it answers."""
    port = free_port()
    env = {**os.environ, "TREEM_HOME": str(home_root)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    out = log.open("wb")
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"streamlit did not answer within 60 s: {log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def dashboard_url(fixture_pipeline, tmp_path_factory) -> Iterator[str]:
    home, _ = fixture_pipeline
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    process, url = start_dashboard(home.root, log)
    yield url
    stop(process)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install -y chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 2000},  # Streamlit scrolls inside the page: a tall window
            locale="vi-VN",
        )
        yield context
        context.close()


def render(browser, url: str, title: str, screenshot: Path) -> str:
    """Open `url`, wait for the page's title heading and for Streamlit to finish running, screenshot it."""
    page = browser.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
        # the script has finished when the status widget ("Running...") is gone
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
        )
        page.wait_for_timeout(500)  # let charts (Vega) finish drawing before the screenshot
        page.screenshot(path=str(screenshot), full_page=True)
        errors = page.locator('[data-testid="stException"]')
        assert errors.count() == 0, errors.first.inner_text()
        # an unknown URL path runs the main page under a "Page not found" dialog
        dialogs = page.get_by_role("dialog")
        assert dialogs.count() == 0, dialogs.first.inner_text()
        return page.locator('[data-testid="stMain"]').inner_text()
    finally:
        page.close()


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
