"""DuckDB's memory limit and threads from TREEM_MEMORY_GB and TREEM_THREADS, the same in treem's
connections and in dbt's; what does not fit spills beside the database file, in the home."""

from __future__ import annotations

import json

import duckdb
import pytest

from base import duckdb_limits
from base.clock import DISTRICT_ZONE, local_now
from base.errors import UserError
from tests.conftest import use


def _as_duckdb_prints(limit: str) -> str:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{limit}'")
    (printed,) = con.execute("select current_setting('memory_limit')").fetchone()
    con.close()
    return printed


def _settings(con: duckdb.DuckDBPyConnection) -> tuple:
    names = ("memory_limit", "threads", "temp_directory", "TimeZone")
    return con.execute("select " + ", ".join(f"current_setting('{n}')" for n in names)).fetchone()


def test_defaults_for_a_shared_two_core_machine(tmp_path, monkeypatch):
    monkeypatch.delenv("TREEM_MEMORY_GB", raising=False)
    monkeypatch.delenv("TREEM_THREADS", raising=False)
    con = duckdb_limits.connect(tmp_path / "warehouse.duckdb")
    assert _settings(con) == (
        _as_duckdb_prints("2GB"),
        2,
        str(tmp_path / "warehouse.duckdb.tmp"),
        "Asia/Ho_Chi_Minh",
    )
    # the district's day, whatever the server's zone (a UTC server is a day behind from 00:00 to 07:00)
    assert con.execute("select current_date").fetchone()[0] == local_now().date()
    con.close()


def test_the_settings_apply_to_read_only_files_and_to_a_file_the_process_has_open(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_MEMORY_GB", "1.5")
    monkeypatch.setenv("TREEM_THREADS", "1")
    path = tmp_path / "serving.duckdb"
    plain = duckdb.connect(str(path))  # a test or a tool holding the file open without settings
    plain.execute("create table t as select 1 as x")
    limited = duckdb_limits.connect(path)  # connect-time config would be refused here
    assert _settings(limited)[:2] == (_as_duckdb_prints("1.5GB"), 1)
    limited.close()
    plain.close()
    read_only = duckdb_limits.connect(path, read_only=True)
    assert _settings(read_only)[:2] == (_as_duckdb_prints("1.5GB"), 1)
    read_only.close()


def test_what_does_not_fit_spills_and_the_file_opens_again(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_MEMORY_GB", "0.05")
    path = tmp_path / "warehouse.duckdb"
    con = duckdb_limits.connect(path)
    sorted_rows = "select x from (select range as x, hash(range) as h from range(5000000)) order by h"
    assert con.execute(f"select count(*), sum(x) from ({sorted_rows})").fetchone() == (
        5_000_000,
        5_000_000 * 4_999_999 // 2,
    )
    again = duckdb_limits.connect(path)  # a database that has spilled takes the settings again (as dbt does)
    assert _settings(again)[2] == str(path) + ".tmp"
    again.close()
    con.close()


@pytest.mark.parametrize(
    ("name", "value"),
    [("TREEM_MEMORY_GB", "hai"), ("TREEM_MEMORY_GB", "0"), ("TREEM_THREADS", "1.5"), ("TREEM_THREADS", "-2")],
)
def test_a_wrong_value_is_named_in_vietnamese(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(UserError, match=f"{name} phải là .*không phải '{value}'"):
        duckdb_limits.connect(tmp_path / "warehouse.duckdb")


def test_dbt_runs_with_the_same_settings(fixture_home, pointed_env, monkeypatch):
    from orchestration.dbt_project import dbt_resource

    monkeypatch.setenv("TREEM_MEMORY_GB", "1.5")
    monkeypatch.setenv("TREEM_THREADS", "1")
    use(fixture_home)
    try:
        query = (
            "select current_setting('memory_limit') as m, current_setting('threads') as t, "
            "current_setting('temp_directory') as d, current_setting('TimeZone') as z"
        )
        shown = dbt_resource().cli(
            ["show", "--inline", query, "--output", "json"],
            target_path=fixture_home.dbt_target,
            raise_on_error=True,
        )
        events = [event.raw_event for event in shown.stream_raw_events()]
    finally:
        use(pointed_env)
    previews = [e["data"]["preview"] for e in events if "preview" in e.get("data", {})]
    assert json.loads(previews[0]) == [
        {
            "m": _as_duckdb_prints("1.5GB"),
            "t": 1,
            "d": str(fixture_home.warehouse) + ".tmp",
            "z": DISTRICT_ZONE,
        }
    ]
