"""Whether a run would change nothing: no file waits, the project is the one the last complete run
used, the warehouse's file registry and the published pair are as that run left them, and the day is
the same (the models judge deadlines against today), and no report period was approved or withdrawn
since. Then `treem run` skips dbt, the checks, the
publish and the reports, and says so.

The last complete run leaves a fingerprint of all that in the home (``last_complete_run.json``); a
run killed, failed or blocked leaves none, so the next one does the whole work."""

from __future__ import annotations

import hashlib
import importlib
import json
from importlib.metadata import version
from pathlib import Path

import duckdb

from base import duckdb_limits
from base.atomic import write_atomically
from base.clock import data_now, local_now
from base.home import Home
from ingestion.claim import claimed_files
from ingestion.contract import load_contracts
from ingestion.inbox import pending_files, unknown_source_files
from orchestration.dbt_project import project_fingerprint
from serving.contract import RESTRICTED_META, SERVING_META, publish_id
from signoff import ledger

STAMP = "last_complete_run.json"
# the packages whose code or configuration shapes what a run builds (the dashboard and the demo do not)
PIPELINE_PACKAGES = (
    "base",
    "policy",
    "access",
    "ingestion",
    "serving",
    "reports",
    "orchestration",
    "signoff",
)
LIBRARIES = (
    "dagster",
    "dagster-dbt",
    "duckdb",
    "duckdb-engine",
    "great-expectations",
    "openpyxl",
    "python-calamine",
)
SOURCE_SUFFIXES = (".py", ".yaml", ".yml", ".csv", ".sql", ".json")


def _waiting(home: Home) -> bool:
    """A file in a source's inbox or anywhere else in the inbox (a run sets it aside), or one a killed
    run claimed and left."""
    for source in load_contracts():
        if pending_files(home.source_inbox(source)) or claimed_files(home, source):
            return True
    return bool(unknown_source_files(home))


def code_fingerprint() -> str:
    """The pipeline's packages (path, size, modification time of each source file), the dbt project,
    and the versions of the libraries that run it."""
    digest = hashlib.sha256(project_fingerprint().encode())
    for name in LIBRARIES:
        digest.update(f"{name}={version(name)}\n".encode())
    for package in PIPELINE_PACKAGES:
        root = Path(importlib.import_module(package).__file__).parent
        for path in sorted(root.rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{package}/{path.relative_to(root).as_posix()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode()
                )
    return digest.hexdigest()


def _warehouse_state(home: Home) -> str:
    """Every row of the file registry (an outcome changed by a release counts), and the publish ids of
    the serving pair."""
    con = duckdb_limits.connect(home.warehouse, read_only=True)
    try:
        (registry,) = con.execute(
            "select md5(coalesce(string_agg(r::varchar, chr(10) order by r.file_id), '')) "
            "from raw.file_registry r"
        ).fetchone()
    finally:
        con.close()
    ids = []
    for path, meta in ((home.serving, SERVING_META), (home.serving_restricted, RESTRICTED_META)):
        con = duckdb_limits.connect(path, read_only=True)
        try:
            ids.append(publish_id(con, con.execute("select current_database()").fetchone()[0], meta))
        finally:
            con.close()
    return f"{registry}|{ids}"


def _reports_state(home: Home) -> list[str]:
    return sorted(
        f"{p.relative_to(home.reports).as_posix()}|{p.stat().st_size}|{p.stat().st_mtime_ns}"
        for p in home.reports.rglob("*.xlsx")
    )


def _days(home: Home) -> tuple[str, str]:
    """Today in the district (the models' current_date) and in the data (a demo home's own today)."""
    return local_now().date().isoformat(), data_now(home.generated).date().isoformat()


def fingerprint(home: Home) -> str | None:
    """What a run would start from; None when a file waits or something is missing (a run is due)."""
    if _waiting(home):
        return None
    try:
        state = _warehouse_state(home)
    except (duckdb.Error, OSError):
        return None
    # an approval or a withdrawal since: the warehouse's copy of the ledger and the frozen editions are due
    parts = [code_fingerprint(), state, repr(_days(home)), *_reports_state(home), ledger.state(home.root)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def nothing_new(home: Home) -> str | None:
    """When the last complete run finished (local time, as recorded) if nothing changed since; else None."""
    try:
        recorded = json.loads((home.root / STAMP).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if recorded.get("fingerprint") != fingerprint(home):
        return None
    return recorded.get("finished_at")


def record_complete_run(home: Home, run_id: str) -> None:
    """After a run that published and wrote its reports: its fingerprint, for the next run to compare
    (nothing is written when a file arrived meanwhile: the next run takes it)."""
    stamp = home.root / STAMP
    now = fingerprint(home)
    if now is None:
        stamp.unlink(missing_ok=True)
        return
    record = {
        "fingerprint": now,
        "run_id": run_id,
        "finished_at": local_now().isoformat(timespec="seconds"),  # district time, as every time shown
    }
    write_atomically(stamp, lambda f: f.write(json.dumps(record).encode()))


def forget_complete_run(home: Home) -> None:
    """Before a run starts its work: if it dies, no fingerprint says that the home is complete."""
    (home.root / STAMP).unlink(missing_ok=True)
