"""A loader killed (SIGKILL) in the middle of its work, then rerun, ends exactly as one clean run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from base.home import PROJECT_ROOT, Home
from demo import generate
from ingestion.load import ingest_all

pytestmark = pytest.mark.slow

LOADER = (
    "import sys; from pathlib import Path; import duckdb; from ingestion.load import ingest_all; "
    "from base.home import Home; home = Home(Path(sys.argv[1])); "
    "con = duckdb.connect(str(home.warehouse)); ingest_all(con, home); con.close()"
)


def _state(home: Home) -> dict:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        registry = con.execute(
            "select file_id, source, file_name, outcome, period, ward_code, rows_read, rows_loaded, "
            "rows_rejected, rows_skipped, superseded_by, stored_as from raw.file_registry order by file_id"
        ).fetchall()
        tables = {
            name: con.execute(
                f"select count(*), count(distinct (file_id, source_row)) from raw.{name}"
            ).fetchone()
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
            ).fetchall()
            if name not in ("file_registry", "row_rejects")
        }
        rejects = con.execute("select count(*) from raw.row_rejects").fetchone()[0]
    finally:
        con.close()
    stored = sorted(
        p.relative_to(home.root).as_posix()
        for folder in (home.archive, home.quarantine)
        for p in folder.rglob("*")
        if p.is_file()
    )
    waiting = sorted(
        p.name for folder in (home.inbox, home.processing) for p in folder.rglob("*") if p.is_file()
    )
    return {"registry": registry, "tables": tables, "rejects": rejects, "stored": stored, "waiting": waiting}


def _copy_inbox(source: Path, root: Path) -> Home:
    home = Home(root)
    shutil.copytree(source, home.inbox)
    return home.ensure()


def _archived(home: Home) -> int:
    return sum(1 for folder in (home.archive, home.quarantine) for _ in folder.rglob("*__*"))


def test_kills_at_several_points_then_a_rerun_equal_one_clean_run(tmp_path):
    extracts = tmp_path / "extracts"
    generate(extracts, seed=5, scale=0.03, messy=0.1)
    (extracts / "inbox" / "tiem_chung").mkdir()
    (extracts / "inbox" / "tiem_chung" / "TCMR_MoLao.xlsx").write_bytes(b"dropped in the wrong folder")

    clean = _copy_inbox(extracts / "inbox", tmp_path / "clean")
    con = duckdb.connect(str(clean.warehouse))
    ingest_all(con, clean)
    con.close()
    expected = _state(clean)
    assert expected["waiting"] == [] and len(expected["registry"]) > 1000

    killed = _copy_inbox(extracts / "inbox", tmp_path / "killed")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    kills = 0
    for threshold, pause in ((50, 0.0), (300, 0.013), (600, 0.031), (900, 0.007)):
        process = subprocess.Popen(
            [sys.executable, "-c", LOADER, str(killed.root)], env=env, cwd=PROJECT_ROOT
        )
        deadline = time.monotonic() + 120
        while _archived(killed) < threshold and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(pause)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    assert kills >= 3  # the loader was really stopped part-way, several times

    process = subprocess.run([sys.executable, "-c", LOADER, str(killed.root)], env=env, cwd=PROJECT_ROOT)
    assert process.returncode == 0
    got = _state(killed)
    assert got["tables"] == expected["tables"]
    assert got["rejects"] == expected["rejects"]
    assert got["registry"] == expected["registry"]
    assert got["stored"] == expected["stored"]
    assert got["waiting"] == []
    for rows, distinct in got["tables"].values():
        assert rows == distinct  # no row loaded twice
