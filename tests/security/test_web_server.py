"""Safe defaults for the web server, in the real server and a real browser: this machine only unless
asked, no metrics for anyone, an unexpected error as a sentence and a code (never a traceback), a
display name shown as text (a markdown image in it fetches nothing)."""

from __future__ import annotations

import http.server
import shutil
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from access import accounts
from access.roles import Role
from base.home import Home
from tests.dashboard.browser import BROWSER_PASSWORD, sign_in, start_dashboard, stop
from tests.dashboard.session import sign_in as sign_in_session
from treem.cli import build_parser, dashboard_command

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _outward_address() -> str | None:
    """This machine's address on its first network (no packet is sent), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
            address = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_dashboard_command_defaults_to_this_machine_without_developer_tools(monkeypatch):
    monkeypatch.delenv("TREEM_MAX_FILE_MB", raising=False)
    args = build_parser().parse_args(["dashboard"])
    command = dashboard_command(args.port, args.address)
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[4].endswith("dashboard/server.py")
    assert options["--server.address"] == "127.0.0.1"
    assert options["--client.toolbarMode"] == "viewer"
    assert options["--client.showErrorDetails"] == "none"
    assert options["--server.maxUploadSize"] == "200"  # as the inbox takes (TREEM_MAX_FILE_MB)
    assert build_parser().parse_args(["demo", "--address", "0.0.0.0"]).address == "0.0.0.0"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = Home(tmp_path_factory.mktemp("served")).ensure()
    process, url = start_dashboard(home.root, home.root / "streamlit.log")
    yield home, url
    stop(process)


def test_metrics_answer_nobody_and_health_still_answers(served):
    _, url = served
    assert _status(f"{url}/_stcore/health") == 200
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "//_stcore/metrics", "/_stcore/%6detrics"):
        assert _status(url + path) == 404, path


def test_nothing_answers_on_the_machines_network_address(served):
    _, url = served
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(3)
        sock.connect((address, port))


def test_a_broken_serving_copy_shows_a_sentence_and_a_code(tmp_path, monkeypatch):
    """What `treem report --out <home>/serving.duckdb` did before the guard: the page says so in
    Vietnamese, with a code to quote, and no Python."""
    home = Home(tmp_path / "home").ensure()
    home.serving.write_bytes(b"PK\x03\x04 an Excel workbook, not a DuckDB file" * 100)
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    app = sign_in_session(AppTest.from_file(APP, default_timeout=60), "district_leader").run()
    assert not app.exception
    [error] = app.error
    assert error.value.startswith("Trang gặp lỗi không mong đợi (mã lỗi ")
    assert "Traceback" not in error.value and ".py" not in error.value


def test_in_a_browser_a_broken_serving_copy_and_a_markdown_name_are_harmless(browser, tmp_path):
    hits: list[str] = []

    class Pixel(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    pixel = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    threading.Thread(target=pixel.serve_forever, daemon=True).start()
    image = f"![x](http://127.0.0.1:{pixel.server_address[1]}/p.png)"
    home = Home(tmp_path / "home").ensure()
    home.serving.write_bytes(b"not a database" * 1000)
    accounts.add_account(home.root, "lan", BROWSER_PASSWORD, Role.DISTRICT_LEADER, name=f"Lan {image}")
    process, url = start_dashboard(home.root, tmp_path / "streamlit.log")
    page = browser.new_page()
    try:
        sign_in(page, url, "lan")
        page.get_by_text("Trang gặp lỗi không mong đợi").wait_for(timeout=60_000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
        )
        page.wait_for_timeout(1000)
        page.screenshot(path=str(tmp_path / "loi.png"), full_page=True)
        body = page.locator("body").inner_text()
        assert "mã lỗi" in body
        assert not any(word in body for word in ("Traceback", 'File "', "duckdb", "/work/", "site-packages"))
        assert f"Lan {image}" in page.locator('[data-testid="stSidebar"]').inner_text()
        assert hits == []  # the image in the name was never fetched
    finally:
        page.close()
        stop(process)
        pixel.shutdown()
    log = (tmp_path / "streamlit.log").read_text(encoding="utf-8", errors="replace")
    code = body.split("mã lỗi ", 1)[1][:8]
    assert f"error {code}" in log and "Traceback" in log  # the detail went to the server's log
    shutil.rmtree(home.root)


def test_no_forwarded_address_is_believed_unless_a_proxy_is_named(monkeypatch):
    """uvicorn believes X-Forwarded-For from the addresses in FORWARDED_ALLOW_IPS (its default: every
    local connection); the dashboard's environment names none, or the proxy given."""
    from uvicorn.middleware.proxy_headers import _TrustedHosts

    from treem.cli import dashboard_env

    monkeypatch.delenv("TREEM_TRUSTED_PROXY", raising=False)
    assert "127.0.0.1" not in _TrustedHosts(dashboard_env()["FORWARDED_ALLOW_IPS"])
    monkeypatch.setenv("TREEM_TRUSTED_PROXY", "10.0.0.5")
    trusted = _TrustedHosts(dashboard_env()["FORWARDED_ALLOW_IPS"])
    assert "10.0.0.5" in trusted and "127.0.0.1" not in trusted


def test_an_upload_is_refused_above_the_inboxs_size_limit(monkeypatch):
    monkeypatch.setenv("TREEM_MAX_FILE_MB", "5")
    command = dashboard_command(8501)
    assert dict(zip(command[5::2], command[6::2], strict=True))["--server.maxUploadSize"] == "5"
