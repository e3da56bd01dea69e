"""Hand-made restricted files for the page tests: stamped as one publish with the home's serving copy,
or with another publish's stamp (a pair the dashboard must refuse)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def stamp(con: duckdb.DuckDBPyConnection, serving: Path, publish_id: str | None = None) -> None:
    """Give the restricted file open on ``con`` its ``restricted_meta``: the serving copy's publish id,
    or ``publish_id``."""
    if publish_id is None:
        with duckdb.connect(str(serving), read_only=True) as copy:
            publish_id = copy.execute("select publish_id from serving_meta").fetchone()[0]
    con.execute(
        "create table restricted_meta as select current_localtimestamp() as published_at, ? as publish_id",
        [publish_id],
    )
