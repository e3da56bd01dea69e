"""Dagster's run history (SQLite files under DAGSTER_HOME) written at the speed of the run.

Dagster's SQLite storage opens a new connection for every event it stores and closes it after one
commit. In WAL mode SQLite syncs the log to disk at each commit and, when the last connection to a
file closes, copies the log back into the file, syncs it and deletes the log. A run stores about two
thousand events (one per dbt test as an asset check, planned and evaluated), so a run paid 4–18 ms per
event (10–60 s per run on this machine's disk) to write its own history.

Two settings remove that cost and keep the history safe:

- ``synchronous=NORMAL`` on Dagster's connections: in WAL mode SQLite syncs at each checkpoint
  instead of each commit. The file can never be corrupted; an operating-system crash (not a killed
  process) may lose the last events, which is what recovery.py already handles for a run that died.
- one connection per history file held open by this process: the connection Dagster closes is then
  not the last one, so the log is checkpointed every 1,000 pages (SQLite's default), not after every
  event. The held connections close at the end of `treem run` (release_history) or with the process.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

_held: dict[Path, sqlite3.Connection] = {}
_lock = threading.Lock()


@lru_cache(maxsize=64)
def _under(file: str, dagster_home: str) -> bool:
    # Dagster opens a connection per event: the paths are resolved once, not thousands of times a run
    return Path(file).resolve().is_relative_to(Path(dagster_home).resolve())


def _history_file(connection: sqlite3.Connection) -> Path | None:
    """The file of this connection when it lies under DAGSTER_HOME (Dagster's storage), else None."""
    dagster_home = os.environ.get("DAGSTER_HOME")
    if not dagster_home:
        return None
    ((_, _, file),) = connection.execute("PRAGMA database_list").fetchall()
    if not file or not _under(file, dagster_home):
        return None
    return Path(file)


def _hold(file: Path) -> None:
    """Hold ``file`` open, once it is in WAL mode (Dagster switches a new file to WAL after creating it)."""
    with _lock:
        if file in _held:
            return
        keeper = sqlite3.connect(file, check_same_thread=False)
        # a connection joins the log on its first read: until then it does not count as open
        if keeper.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            keeper.close()
            return
        keeper.execute("select count(*) from sqlite_master").fetchall()
        _held[file] = keeper


def _on_connect(connection: object, _record: object) -> None:
    if not isinstance(connection, sqlite3.Connection):
        return
    file = _history_file(connection)
    if file is None:
        return
    connection.execute("PRAGMA synchronous=NORMAL")
    _hold(file)


def write_history_fast() -> None:
    """Apply the two settings to every Dagster SQLite connection this process opens (idempotent)."""
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)


def release_history() -> None:
    """Close the held connections (the last close checkpoints each log into its file)."""
    with _lock:
        for keeper in _held.values():
            keeper.close()
        _held.clear()
