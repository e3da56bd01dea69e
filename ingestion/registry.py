"""The warehouse's ``raw`` schema: the file registry, row rejects and one table per source."""

from __future__ import annotations

import duckdb

from ingestion.contract import Contract

DUCKDB_TYPES = {
    "text": "VARCHAR",
    "name": "VARCHAR",
    "date": "DATE",
    "integer": "BIGINT",
    "sex": "VARCHAR",
    "personal_id": "VARCHAR",
    "lookup": "VARCHAR",
    "code": "VARCHAR",
    "choice": "VARCHAR",
    "boolean": "BOOLEAN",
    "code_list": "VARCHAR",
}

REGISTRY_DDL = """
create schema if not exists raw;
create table if not exists raw.file_registry (
    file_id varchar primary key,       -- first 16 hex digits of the content hash
    content_hash varchar not null unique,
    source varchar not null,
    file_name varchar not null,
    size_bytes bigint not null,
    received_at timestamp not null,    -- submitted: when the inbox first held it (its modification time)
    processed_at timestamp not null,   -- when the pipeline first saw the file and took it from the inbox
    -- both in district local time (base/clock.py)
    outcome varchar not null,          -- 'loaded' or 'quarantined'
    reason varchar,                    -- why it was quarantined, in Vietnamese
    sheet varchar,
    header_row integer,
    ward_code varchar,
    period varchar,
    period_start date,
    period_end date,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_rejected integer not null,
    rows_skipped integer not null,
    stored_as varchar not null,        -- path of the file in archive/ or quarantine/, under the home
    superseded_by varchar,             -- the later file of the same source, ward and period that corrects it
    receipt varchar,                   -- the receipt written beside the stored file, in Vietnamese
    held_against varchar,              -- quarantined as a suspect correction of this file (far fewer rows)
    released_at timestamp,             -- a data engineer let it replace that file anyway (`treem release`)
    released_by varchar,
    other_names varchar                -- the same bytes sent before under other names (' | ' between)
);
create table if not exists raw.row_rejects (
    file_id varchar not null,
    source varchar not null,
    sheet varchar,
    row_number integer not null,
    column_name varchar not null,
    value varchar,
    reason varchar not null
);
"""


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, contracts: list[Contract]) -> None:
    con.execute(REGISTRY_DDL)
    added_later = {
        "superseded_by": "varchar",
        "receipt": "varchar",
        "held_against": "varchar",
        "released_at": "timestamp",
        "released_by": "varchar",
        "other_names": "varchar",
    }
    for column, kind in added_later.items():
        con.execute(f"alter table raw.file_registry add column if not exists {column} {kind}")
    for contract in contracts:
        columns = ",\n    ".join(f"{c.name} {DUCKDB_TYPES[c.type]}" for c in contract.columns)
        con.execute(
            f"create table if not exists raw.{contract.raw_table} (\n"
            f"    file_id varchar not null,\n    source_row integer not null,\n    {columns}\n)"
        )
        for column in contract.columns:  # a column added to a contract later
            kind = DUCKDB_TYPES[column.type]
            con.execute(f"alter table raw.{contract.raw_table} add column if not exists {column.name} {kind}")
