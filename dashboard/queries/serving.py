"""The dashboard's reads of the serving copy: one cached query through the viewer's views (scope), the copy's
stamp, the catalogue, today's wards."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from access.roles import Viewer
from base.home import home_from_env
from dashboard import auth, scope


def serving_path() -> Path:
    return home_from_env().serving


def version_of(path: Path) -> float | None:
    """A published file's modification time: a new publish invalidates every cached query on it."""
    return path.stat().st_mtime if path.exists() else None


@st.cache_data(show_spinner=False, max_entries=96)
def _read(path: str, sql: str, params: tuple, version: float, viewer: Viewer | None) -> pd.DataFrame:
    con = scope.connect(path, version, viewer)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def _query_file(path: Path, sql: str, params: tuple) -> pd.DataFrame:
    """``sql`` over the published file, through the signed-in viewer's views of it (``scope``)."""
    version = version_of(path)
    if version is None:
        return pd.DataFrame()
    return _read(os.fspath(path), sql, params, version, auth.current_viewer())


def query(sql: str, *params: object) -> pd.DataFrame:
    return _query_file(serving_path(), sql, params)


def serving_meta() -> dict | None:
    frame = query("select published_at, data_as_of, files_loaded, files_quarantined from serving_meta")
    return None if frame.empty else frame.iloc[0].to_dict()


def indicator(code: str) -> dict:
    frame = query("select * from indicators where indicator_code = ?", code)
    return frame.iloc[0].to_dict() if not frame.empty else {}


def current_wards() -> pd.DataFrame:
    """The 15 wards of today: ward_code, ward_name."""
    return query("select ward_code, ward_name from dim_ward where is_current order by ward_name")


# Names of every org unit the quality tables use: today's wards, pre-2025 wards, the district.
ORG_UNIT_NAMES = """
    org_units as (
        select ward_code as org_unit_code, arg_max(ward_name, is_current) as org_unit_name
        from dim_ward group by ward_code
        union all
        select distinct district_code, district_name from dim_ward
    )
"""


def has_table(name: str) -> bool:
    """Whether the serving copy holds the table (an older copy may predate it)."""
    frame = query("select count(*) as n from duckdb_tables() where table_name = ?", name)
    return not frame.empty and int(frame.iloc[0]["n"]) > 0
