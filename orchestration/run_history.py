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

Dagster's SQLite event log also builds a new SQLAlchemy engine for every connection, so every event
paid for the engine, the dialect's first-connect queries and the compilation of its statements again
(SQLAlchemy caches compiled statements per engine): about two thirds of the time a run spends storing
its events. ``HistoryEventLogStorage``, the event log named in the home's dagster.yaml, keeps the
engines of the last few history files; connections are still opened and closed per event as before.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from dagster import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

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


ENGINES_KEPT = 8  # a run writes its own file and the index; `treem ui` reads a few runs at once


class HistoryEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with one engine per history file, kept for the next event.

    Dagster's ``_connect`` creates an engine, connects, runs the statement and disposes the engine.
    This one does the same with the file's kept engine: same files, same per-event connection and
    transaction, same lock; only the engine (and the statements it compiled) outlives the event.
    dagster.yaml names its folder, that of Dagster's default storage (``<dagster home>/history/runs``).
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict:
        return {"base_dir": StringSource}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: dict
    ) -> HistoryEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=NullPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
            self._engines[shard] = engine
            while len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)[1].dispose()
            return engine

    def has_table(self, table_name: str) -> bool:
        # asked before every asset check event is stored (is the history's schema recent enough?)
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            return bool(engine.dialect.has_table(conn, table_name))

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn
