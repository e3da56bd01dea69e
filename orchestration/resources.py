"""Resources: the home folder (from TREEM_HOME, read at run time) and its warehouse connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from base import duckdb_limits
from base.home import Home

WAREHOUSE_POOL = "treem_warehouse"  # DuckDB has one writer: every asset that writes shares this pool


class HomeResource(dg.ConfigurableResource):
    """The treem home folder: inbox, archive, quarantine, warehouse, serving copy."""

    root: str

    @property
    def home(self) -> Home:
        return Home(Path(self.root).expanduser().resolve())

    @contextmanager
    def warehouse(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb_limits.connect(self.home.warehouse, read_only=read_only)
        try:
            yield con
        finally:
            con.close()
