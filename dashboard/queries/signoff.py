"""What the sign-off section reads: a period's figures as the report builder reads them (every edition,
or one ward's), and a ward's figures and data-quality warnings for the period, through the viewer's
views."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from base.home import home_from_env
from dashboard.queries.serving import query, serving_path, version_of
from reports.signoff import PeriodFigures, load_period
from signoff.ledger import ledger_path


@st.cache_data(show_spinner=False, max_entries=4)
def _period_figures(
    path: str, period_key: str, ward_code: str | None, version: float | None
) -> PeriodFigures:
    figures = load_period(path, period_key, ward_code)
    figures.hashes  # computed once here, kept in the cached copy  # noqa: B018
    return figures


def period_figures(period_key: str, ward_code: str | None = None) -> PeriodFigures:
    """Every edition of the period (only ``ward_code``'s when given), read once per serving copy."""
    path = serving_path()
    return _period_figures(os.fspath(path), period_key, ward_code, version_of(path))


def ward_figures(period_key: str, ward_code: str) -> pd.DataFrame:
    """The ward's indicators for the period as the viewer may see them (small counts hidden, marked):
    name_vi, name_en, unit, numerator, denominator, value and their marks."""
    return query(
        """
        select i.name_vi, i.name_en, i.unit, f.numerator, f.denominator, f.value,
               f.numerator_mark, f.denominator_mark, f.value_mark
        from fct_ward_indicators f join dim_indicator i using (indicator_code)
        where f.period_key = ? and f.org_unit_code = ?
        order by f.indicator_code
        """,
        period_key,
        ward_code,
    )


def ward_warnings(period_key: str, ward_code: str) -> pd.DataFrame:
    """The validation rules the ward's months of the period break (as the quality page lists them)."""
    return query(
        """
        select v.period_key, v.name_vi, v.name_en, v.severity, v.left_value, v.operator, v.right_value
        from fct_validation_violations v
        join dim_period m on m.period_key = v.period_key
        join dim_period r on r.period_key = ?
        where v.ward_code = ? and m.period_start between r.period_start and r.period_end
        order by v.period_key, v.rule_id
        """,
        period_key,
        ward_code,
    )


def ledger_version() -> float | None:
    """When the sign-off ledger last changed (part of a cached workbook's key)."""
    try:
        return os.stat(ledger_path(home_from_env().root)).st_mtime
    except FileNotFoundError:
        return None
