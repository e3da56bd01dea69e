"""The dashboard reads only the published serving copy, read-only: it never opens the warehouse,
so it keeps working while `treem run` writes (issue 6, item 7)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard"
# a path to the warehouse: its file name, the Home property, or the bare name as a string
WAREHOUSE_PATH = re.compile(r"warehouse\.duckdb|\.warehouse\b|[\"']warehouse[\"']", re.IGNORECASE)


def dashboard_lines():
    for path in sorted(DASHBOARD.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{path.relative_to(ROOT)}:{number}", line


def test_dashboard_never_opens_the_warehouse():
    """Only the serving copy: the dashboard's source names no warehouse path."""
    offenders = [
        f"{where}: {line.strip()}" for where, line in dashboard_lines() if WAREHOUSE_PATH.search(line)
    ]
    assert not offenders, offenders


def test_dashboard_opens_duckdb_read_only():
    """Files are opened read-only, or attached read-only to an in-memory database (the viewer's views)."""
    lines = list(dashboard_lines())
    connects = [(where, line) for where, line in lines if "duckdb.connect(" in line]
    assert connects, "the dashboard's queries moved: update this test"
    writable = [
        f"{where}: {line.strip()}"
        for where, line in connects
        if "read_only=True" not in line and "duckdb.connect()" not in line
    ]
    assert not writable, writable
    attaches = [line for _, line in lines if '"attach ' in line]
    assert attaches and all("read_only" in line for line in attaches), attaches
