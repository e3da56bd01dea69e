"""Every SQL query of the dashboard, over the serving copy only, cached per published version."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from treem.home import home_from_env


def serving_path() -> Path:
    return home_from_env().serving


def serving_version() -> float | None:
    """The serving copy's modification time: a new publish invalidates every cached query."""
    path = serving_path()
    return path.stat().st_mtime if path.exists() else None


@st.cache_data(show_spinner=False, max_entries=64)
def _query(sql: str, params: tuple, version: float) -> pd.DataFrame:
    con = duckdb.connect(os.fspath(serving_path()), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def query(sql: str, *params: object) -> pd.DataFrame:
    version = serving_version()
    if version is None:
        return pd.DataFrame()
    return _query(sql, params, version)


def serving_meta() -> dict | None:
    frame = query("select published_at, data_as_of, files_loaded, files_quarantined from serving_meta")
    return None if frame.empty else frame.iloc[0].to_dict()


def immunization_periods() -> pd.DataFrame:
    """Periods with immunisation data, whole years first, then the year still running (year to date),
    then months, newest first: period_type, period_key, period_start, period_end."""
    return query(
        """
        with periods as (
            select distinct period_type, period_key, period_start, period_end
            from fct_ward_indicators
            where indicator_code = 'dtp_dropout' and denominator > 0
        ),
        running as (
            select * from periods
            where period_type = 'ytd'
              and year(period_end) not in (select year(period_end) from periods where period_type = 'year')
            qualify period_end = max(period_end) over (partition by year(period_end))
        )
        select * from periods where period_type in ('year', 'month')
        union all
        select * from running
        order by period_type = 'month', period_start desc, period_end desc
        """
    )


def indicator(code: str) -> dict:
    frame = query("select * from indicators where indicator_code = ?", code)
    return frame.iloc[0].to_dict() if not frame.empty else {}


def dropout_by_ward(period_type: str, period_key: str) -> pd.DataFrame:
    """DTP1, DTP3 and dropout per ward (and the district) for one period."""
    return query(
        """
        select org_unit_code, org_unit_name, org_unit_level,
               denominator as dtp1, denominator - numerator as dtp3,
               value as dropout, target, meets_target
        from fct_ward_indicators
        where indicator_code = 'dtp_dropout' and period_type = ? and period_key = ?
        order by org_unit_level = 'district', value desc nulls last, org_unit_name
        """,
        period_type,
        period_key,
    )


def doses_by_ward_vaccine(months: tuple[str, ...]) -> pd.DataFrame:
    """Doses per ward and vaccine over the given months ('2025-03', ...)."""
    marks = ", ".join("?" for _ in months)
    return query(
        f"""
        select w.ward_name, v.vaccine_label_vi as vaccine, a.vaccine_code, sum(a.doses) as doses
        from agg_immunization_ward_months a
        join (select ward_code, ward_name from dim_ward where is_current) w using (ward_code)
        join (select distinct vaccine_code, vaccine_label_vi from dim_vaccine) v using (vaccine_code)
        where a.dose_month in ({marks})
        group by all
        order by w.ward_name, a.vaccine_code
        """,
        *months,
    )


def dropout_trend() -> pd.DataFrame:
    """Year-to-date dropout at the end of each month, for every ward and the district."""
    return query(
        """
        select org_unit_name, org_unit_level, strftime(period_end, '%Y-%m') as month, period_start,
               value as dropout, denominator as dtp1
        from fct_ward_indicators
        where indicator_code = 'dtp_dropout' and period_type = 'ytd' and denominator > 0
        order by period_start
        """
    )
