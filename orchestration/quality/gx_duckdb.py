"""A Great Expectations SQL data source on an open DuckDB connection (through duckdb-engine), so the
suites run as queries inside DuckDB, under its memory limit, instead of on a pandas copy of a table."""

from __future__ import annotations

from typing import Any

import duckdb
import duckdb_engine


class _CursorPerStatement(duckdb_engine.ConnectionWrapper):
    """Each SQLAlchemy cursor gets its own DuckDB cursor.

    A DuckDB connection holds one pending result, and any later statement on it discards it. GX reads
    a metric's rows after its SQLAlchemy connection has gone back to the pool, whose rollback is such
    a statement: with duckdb-engine as it is, every metric comes back empty (GX issue #11579). Rows of
    a cursor of their own survive the rollback."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(con)
        self._con = con

    def cursor(self) -> duckdb_engine.CursorWrapper:
        return _OwnCursor(self._con.cursor(), self)


class _OwnCursor(duckdb_engine.CursorWrapper):
    def __init__(self, cursor: duckdb.DuckDBPyConnection, wrapper: _CursorPerStatement) -> None:
        super().__init__(cursor, wrapper)
        self._cursor = cursor

    def close(self) -> None:
        self._cursor.close()


def sql_data_source(context: Any, name: str, con: duckdb.DuckDBPyConnection) -> Any:
    """A GX SQL data source whose connections are cursors of `con` (same database, same settings).

    The caller disposes of `data_source.get_engine()` when done, which closes those cursors."""
    return context.data_sources.add_sql(
        name,
        connection_string="duckdb:///:memory:",  # names the dialect; the creator gives the connections
        kwargs={"creator": lambda: _CursorPerStatement(con.cursor())},
    )
