"""The real dashboard in a real browser: start it as `treem dashboard` does on a free port over a home,
and open its pages in Debian's headless Chromium (driven by Playwright; no browser download)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from treem.cli import dashboard_command, dashboard_env

ROOT = Path(__file__).resolve().parents[2]
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_dashboard(home_root: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """Start the dashboard (`treem dashboard`'s server and options) over `home_root`; the process and its
    base URL, once it answers."""
    port = free_port()
    env = {**dashboard_env(), "TREEM_HOME": str(home_root)}
    command = [*dashboard_command(port), "--server.fileWatcherType", "none"]
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


BROWSER_USER, BROWSER_PASSWORD = "lanh-dao-thu", "mat-khau-trinh-duyet"


def ensure_account(
    home_root: Path,
    username: str = BROWSER_USER,
    role: str = "district_leader",
    ward: str | None = None,
    source: str | None = None,
) -> None:
    from access import accounts
    from access.roles import Role

    if accounts.get_account(home_root, username) is None:
        accounts.add_account(home_root, username, BROWSER_PASSWORD, Role(role), ward, source=source)


def sign_in(page, url: str, username: str = BROWSER_USER, password: str = BROWSER_PASSWORD) -> None:
    """Open ``url``, where the sign-in form stands first, and sign in as a person would."""
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


# a text cut off by the browser: wider than its box, or ending in the ellipsis CSS draws
TRUNCATED = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div, h1, h2, h3')]
    .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1
                 && getComputedStyle(e).overflowX !== 'visible')
    .map(e => e.innerText)"""


def render(
    browser,
    url: str,
    title: str,
    screenshot: Path,
    width: int = 1400,
    cut: list | None = None,
    username: str = BROWSER_USER,
) -> str:
    """Open `url` in a window `width` pixels wide, sign in as `username`, wait for the page's title
    heading and for Streamlit to finish running, screenshot it; texts cut off on it are added to `cut`."""
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 2000})
    try:
        sign_in(page, url, username)
        page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
        # the script has finished when the status widget (the running figure) is gone, and stays gone
        # (it appears a moment after a run starts, and a page may run again after signing in)
        finished = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        for _ in range(2):
            page.wait_for_function(finished, timeout=60_000)
            page.wait_for_timeout(1000)  # let charts (Vega) finish drawing before the screenshot
        page.screenshot(path=str(screenshot), full_page=True)
        if cut is not None:
            cut.extend(page.evaluate(TRUNCATED))
        errors = page.locator('[data-testid="stException"]')
        assert errors.count() == 0, errors.first.inner_text()
        # an unknown URL path runs the main page under a "Page not found" dialog
        dialogs = page.get_by_role("dialog")
        assert dialogs.count() == 0, dialogs.first.inner_text()
        text = page.locator("body").inner_text()  # the page, its header and the sidebar
        # the app's own message for an error it caught (dashboard/app.py), with its code for the logs
        assert "Trang gặp lỗi không mong đợi" not in text, text[:500]
        return text
    finally:
        page.close()
