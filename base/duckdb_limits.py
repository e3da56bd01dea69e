"""DuckDB's memory limit, threads and time zone: the same for every connection treem opens and for dbt
(dbt_project/profiles.yml reads the same settings).

- ``TREEM_MEMORY_GB`` (default 2): the memory DuckDB may hold per process before it spills to disk.
  DuckDB's own default is 80% of the machine's memory, which on a shared 2-core server lets one city
  run take everything.
- ``TREEM_THREADS`` (default 2): DuckDB's worker threads per process.
- The time zone is the district's, so that ``current_date`` (a deadline passed or still to come) is
  the district's day on a server kept in UTC.
- What does not fit spills to DuckDB's own place, ``<file>.tmp`` beside the database file: in the
  home, private like the rest of it. It is not set: DuckDB refuses to set it again on a database that
  has spilled, and dbt sets its profile's settings on every connection it opens.
"""

from __future__ import annotations

import os

import duckdb

from base.clock import DISTRICT_ZONE
from base.errors import UserError

MEMORY_GB = "TREEM_MEMORY_GB"
THREADS = "TREEM_THREADS"
DEFAULTS = {MEMORY_GB: 2.0, THREADS: 2}


def _setting(name: str) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return DEFAULTS[name]
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if number <= 0 or (name == THREADS and not number.is_integer()):
        kind = "một số nguyên dương" if name == THREADS else "một số GB dương, ví dụ 2 hoặc 1.5"
        raise UserError(f"{name} phải là {kind}, không phải {value!r}.", code=2)
    return number


def memory_limit() -> str:
    """DuckDB's memory_limit as it reads it, e.g. '2GB' (decimal gigabytes, as in the dbt profile)."""
    return f"{_setting(MEMORY_GB):g}GB"


def threads() -> int:
    return int(_setting(THREADS))


def limit(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Apply the settings to ``con``'s database (SET, not connect-time config: a process may hold one
    file open twice, and DuckDB refuses a second connection whose config differs)."""
    con.execute(f"SET memory_limit = '{memory_limit()}'")  # built from a number: nothing to escape
    con.execute(f"SET threads = {threads()}")
    con.execute(f"SET TimeZone = '{DISTRICT_ZONE}'")
    return con


def connect(path: os.PathLike | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB file (warehouse, serving copy, restricted lists), opened with the limits."""
    con = duckdb.connect(os.fspath(path), read_only=read_only)
    try:
        return limit(con)
    except BaseException:
        con.close()
        raise
