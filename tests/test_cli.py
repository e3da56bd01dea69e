"""The `treem` command line: help in Vietnamese, status of what arrived and what happened to it."""

from __future__ import annotations

import shutil

import pytest

from base.home import Home
from tests.conftest import use
from treem.cli import build_parser, main


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("generate", "run", "dashboard", "ui", "status", "quality", "demo"):
        assert command in out
    assert "TREEM_HOME" in out


def test_status_after_the_fixture_run(fixture_home, pointed_env, capsys, tmp_path):
    home = Home(tmp_path / "home")
    shutil.copytree(fixture_home.root, home.root, ignore=shutil.ignore_patterns("dagster"))
    (home.inbox / "vitamin_a").mkdir(parents=True, exist_ok=True)
    (home.inbox / "vitamin_a" / "VitaminA_MoLao_T06-2025.xlsx").write_bytes(b"waiting")
    (home.inbox / "tiem_chung").mkdir(parents=True, exist_ok=True)
    (home.inbox / "tiem_chung" / "TCMR_MoLao.xlsx").write_bytes(b"in the wrong folder")
    try:
        assert main(["--home", str(home.root), "status"]) == 0
    finally:
        use(pointed_env)
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("immunization"))
    assert line.split()[1:6] == ["0", "3", "2", "10", "5"]  # waiting, loaded, quarantined, rows, rejected
    assert "TCMR_LaKhe_T03-2025.xlsx" in out and "Thiếu cột bắt buộc: Ngày tiêm" in out
    vitamin_a = next(row for row in out.splitlines() if row.startswith("vitamin_a"))
    assert vitamin_a.split()[1:3] == ["1", "0"]  # one file waiting, none loaded
    assert "KHÔNG NHẬN – Thiếu cột bắt buộc: Ngày tiêm" in out  # the quarantined file's receipt
    assert "[immunization] TCMR_MoLao_T03-2025.xlsx: ĐÃ NHẬN 5 dòng, 4 dòng bị loại" in out
    assert "tiem_chung/TCMR_MoLao.xlsx" in out  # waiting in a folder no source owns


def test_dashboard_refuses_without_a_serving_copy(tmp_path, pointed_env, capsys):
    try:
        assert main(["--home", str(tmp_path / "empty"), "dashboard"]) == 1
    finally:
        use(pointed_env)
    assert "treem run" in capsys.readouterr().err


def test_quality_against_truth_needs_a_generated_demo(tmp_path, pointed_env, capsys):
    try:
        assert main(["--home", str(tmp_path / "empty"), "quality", "--against-truth"]) == 2
        assert main(["--home", str(tmp_path / "empty"), "quality"]) == 1
    finally:
        use(pointed_env)
    err = capsys.readouterr().err
    assert "Không có sự thật gốc" in err and "treem generate" in err
    assert "treem run" in err


@pytest.mark.slow
def test_the_dashboard_command_speaks_vietnamese_and_stops_cleanly_on_ctrl_c(fixture_home, tmp_path):
    """`treem dashboard` as a person runs it: our own lines on the terminal, Streamlit's English ones
    ("You can now view…", "Aborted!") in the home's logs/dashboard.log, and Ctrl+C ends it with a
    Vietnamese line and exit status 0, no traceback."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.dashboard.browser import ensure_account, free_port

    home = tmp_path / "home"
    shutil.copytree(fixture_home.root, home, ignore=shutil.ignore_patterns("dagster"))
    ensure_account(home)
    port = free_port()
    treem = [sys.executable, "-c", "import sys; from treem.cli import main; sys.exit(main())"]
    process = subprocess.Popen(
        [*treem, "--home", str(home), "dashboard", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TREEM_HOME": str(home)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    # Ctrl+C reaches the whole foreground group: the command and the server it started
    process.send_signal(signal.SIGINT)
    for child in _children(process.pid):
        os.kill(child, signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0, out
    assert f"Bảng điều khiển: http://localhost:{port}  (Ctrl+C để dừng)" in out
    assert "Đã dừng bảng điều khiển." in out
    assert "You can now view" not in out and "Aborted" not in out and "Traceback" not in out
    assert "You can now view" in (home / "logs" / "dashboard.log").read_text(encoding="utf-8")


def _children(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found
