"""The dashboard keeps serving while `treem run` rebuilds the warehouse and replaces the serving copy.

A copy of the fixture home gets one more file (a birth-registration extract), so the run does real
work: ingestion, dbt, checks, publish. While it runs, the real Streamlit server over that home is
asked for its page and health again and again, and the serving copy is opened read-only and
queried; every request must succeed, and at the end the serving copy must have been replaced and
still be readable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from base.home import Home
from tests.conftest import FIXTURES
from tests.dashboard.browser import ROOT, start_dashboard, stop
from tests.dashboard.session import sign_in

pytestmark = pytest.mark.slow

EXTRA_FILE = FIXTURES / "sources" / "DangKyKhaiSinh_YenNghia_T03-2025.ods"


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def count_rows(serving: Path) -> int:
    con = duckdb.connect(os.fspath(serving), read_only=True)
    try:
        return con.execute("select count(*) from fct_ward_indicators").fetchone()[0]
    finally:
        con.close()


def test_dashboard_serves_while_treem_run_replaces_the_serving_copy(fixture_pipeline, tmp_path, monkeypatch):
    source, _ = fixture_pipeline
    home = Home(tmp_path / "home")
    shutil.copytree(source.root, home.root)
    inbox = home.source_inbox("birth_registration")
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy2(EXTRA_FILE, inbox / EXTRA_FILE.name)
    before = home.serving.stat()
    rows_before = count_rows(home.serving)
    assert rows_before > 0

    server, url = start_dashboard(home.root, tmp_path / "streamlit.log")
    monkeypatch.setenv("TREEM_HOME", str(home.root))  # for the in-process renders (AppTest)
    from streamlit.testing.v1 import AppTest

    run_log = (tmp_path / "treem-run.log").open("wb")
    treem = Path(sys.executable).with_name("treem")
    env = {**os.environ, "TREEM_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster_home)}
    try:
        run = subprocess.Popen(
            [str(treem), "--home", str(home.root), "run"],
            cwd=ROOT,
            env=env,
            stdout=run_log,
            stderr=subprocess.STDOUT,
        )
        requests = reads = renders = 0
        failures: list[str] = []
        while run.poll() is None:
            for path in ("/", "/_stcore/health", "/tong-quan"):
                try:
                    status, body = get(url + path)
                    if status != 200 or not body:
                        failures.append(f"{path}: HTTP {status}")
                except OSError as error:
                    failures.append(f"{path}: {error}")
                requests += 1
            try:
                assert count_rows(home.serving) > 0
                reads += 1
            except Exception as error:  # noqa: BLE001 - every failure is reported below
                failures.append(f"serving copy: {error!r}")
            # the app's script itself (the overview, default page) over the copy being replaced
            app = sign_in(AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)).run()
            if app.exception:
                failures.append(f"overview: {app.exception[0].message}")
            elif [t.value for t in app.title] != ["Tổng quan"]:
                failures.append(f"overview titles: {[t.value for t in app.title]}")
            renders += 1
            time.sleep(0.2)
        assert run.returncode == 0, (tmp_path / "treem-run.log").read_text(errors="replace")[-3000:]
        assert not failures, failures[:10]
        # the run took long enough for the polling to overlap it
        assert requests >= 30 and reads >= 10 and renders >= 10, (requests, reads, renders)
        assert server.poll() is None, "the dashboard stopped during the run"
        assert get(url + "/_stcore/health") == (200, b"ok")
    finally:
        if run.poll() is None:
            run.terminate()
            run.wait()
        stop(server)
        run_log.close()

    after = home.serving.stat()
    assert (after.st_ino, after.st_mtime_ns) != (before.st_ino, before.st_mtime_ns), "not replaced"
    assert count_rows(home.serving) > 0
    # the new file was loaded and published
    con = duckdb.connect(os.fspath(home.serving), read_only=True)
    try:
        loaded = con.execute("select files_loaded from serving_meta").fetchone()[0]
    finally:
        con.close()
    assert loaded > 3  # the fixture home loaded three immunisation files; now the extract too
    assert not (home.root / "serving.duckdb.tmp").exists()
