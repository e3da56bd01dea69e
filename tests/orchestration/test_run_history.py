"""Dagster's run history under the home: stored without a disk sync per event, and still whole when
the process that stored it is killed."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap

import dagster as dg
import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from orchestration.instance import home_instance
from orchestration.run_history import ENGINES_KEPT, HistoryEventLogStorage, _held, release_history
from tests.conftest import use


@pytest.fixture
def instance(home, pointed_env):
    instance = home_instance(home)
    yield instance
    release_history()
    use(pointed_env)


def _store(instance: dg.DagsterInstance, events: int) -> None:
    for index in range(events):
        instance.report_runless_asset_event(dg.AssetMaterialization("ward_files", metadata={"n": index}))


def test_history_files_are_held_open_and_written_without_a_sync_per_commit(home, instance):
    _store(instance, 3)
    index_db = home.dagster_home / "history" / "runs" / "index.db"
    assert index_db in _held
    assert index_db.with_name("index.db-wal").exists()  # not checkpointed and removed after each event
    with instance.event_log_storage.index_connection() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL is 2)

    release_history()
    assert _held == {}
    assert not index_db.with_name("index.db-wal").exists()  # the last close copied the log back
    record = instance.get_latest_materialization_event(dg.AssetKey("ward_files"))
    assert record.asset_materialization.metadata["n"].value == 2


def test_other_sqlite_files_keep_their_settings(home, instance, tmp_path):
    import sqlalchemy

    elsewhere = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    with elsewhere.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    assert all(home.dagster_home in file.parents for file in _held)


def test_events_stored_by_a_killed_process_are_all_there(home, pointed_env):
    script = textwrap.dedent(
        f"""
        import os, signal
        import dagster as dg
        from base.home import Home
        from orchestration.instance import home_instance
        from pathlib import Path

        instance = home_instance(Home(Path({str(home.root)!r})))
        for n in range(40):
            instance.report_runless_asset_event(dg.AssetMaterialization("ward_files", metadata={{"n": n}}))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    index_db = home.dagster_home / "history" / "runs" / "index.db"
    assert index_db.with_name("index.db-wal").exists()  # the kill left the log, not the file, holding them

    instance = home_instance(home)
    try:
        records = instance.fetch_materializations(dg.AssetKey("ward_files"), limit=100).records
        assert sorted(r.asset_materialization.metadata["n"].value for r in records) == list(range(40))
    finally:
        release_history()
        use(pointed_env)
    check = sqlite3.connect(index_db)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()


def test_each_history_file_keeps_its_engine_from_one_event_to_the_next(home, instance):
    storage = instance.event_log_storage
    assert isinstance(storage, HistoryEventLogStorage)
    assert storage._base_dir == str(home.dagster_home / "history" / "runs")  # Dagster's default folder
    engines = []  # a pool's first connection: one per engine (Dagster's own storage builds one per event)
    count = lambda *_: engines.append(1)  # noqa: E731
    event.listen(Pool, "first_connect", count)
    try:
        _store(instance, 30)
        checked = dg.AssetCheckEvaluation(asset_key=dg.AssetKey("ward_files"), check_name="rows", passed=True)
        for _ in range(30):
            instance.report_runless_asset_event(checked)
    finally:
        event.remove(Pool, "first_connect", count)
    assert len(engines) <= 2  # the index and the run-less shard, whatever the number of events
    assert instance.get_latest_materialization_event(dg.AssetKey("ward_files")).asset_materialization
    rows = dg.AssetCheckKey(dg.AssetKey("ward_files"), "rows")
    summary = instance.event_log_storage.get_asset_check_summary_records([rows])
    assert summary[rows].last_check_execution_record is not None


def test_only_the_engines_of_the_last_files_are_kept(tmp_path):
    storage = HistoryEventLogStorage(str(tmp_path))
    shards = [f"run{n}" for n in range(ENGINES_KEPT + 3)]
    for shard in shards + [shards[-1]]:
        with storage.run_connection(shard) as conn:
            conn.exec_driver_sql("select 1")
    assert list(storage._engines) == shards[-ENGINES_KEPT:]
    assert all((tmp_path / f"{shard}.db").exists() for shard in shards)
