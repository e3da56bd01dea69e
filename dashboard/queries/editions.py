"""The report page: the periods offered and each edition's workbook, built on demand from the serving copy."""

from __future__ import annotations

import os
from collections.abc import Callable

import pandas as pd
import streamlit as st

from access.roles import Role
from base.home import home_from_env
from dashboard import auth
from dashboard.queries.serving import current_wards, query, serving_path, version_of
from dashboard.queries.signoff import ledger_version, period_figures
from reports.signoff import differs, district_approvals, freeze, frozen_path, in_force_district
from serving.contract import DISTRICT_CODE
from signoff.ledger import Approval


def report_periods() -> pd.DataFrame:
    """The report periods of the calendar the data covers, latest first: period_key, label_vi,
    label_en, period_start, period_end, deadline."""
    return query(
        """
        select period_key, label_vi, label_en, period_start, period_end, deadline
        from dim_period p
        where period_type = 'report'
          and exists (select 1 from fct_ward_indicators f where f.period_key = p.period_key)
        order by period_end desc, deadline desc, period_key
        """
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _report_workbook(
    path: str, period_key: str, ward_code: str | None, version: float, ledger: float | None
) -> bytes:
    from reports.build import report_bytes

    return report_bytes(path, period_key, ward_code, home_from_env())


def report_editions() -> list[str | None]:
    """The report editions the viewer may export (None: the district's, with small counts hidden). A
    ward's edition shows the ward's small counts in full: protection officers only (a ward officer
    exports none: the district's edition holds the other wards)."""
    viewer = auth.current_viewer()
    if viewer is None or viewer.role == Role.WARD_OFFICER:
        return []  # a ward's edition shows its small counts in full, the district's other wards
    if viewer.sees_small_counts:
        return [viewer.ward_code] if viewer.ward_code else [None, *current_wards()["ward_code"]]
    return [None]


def report_workbook(period_key: str, ward_code: str | None = None) -> Callable[[], bytes]:
    """The report workbook (district edition, or one ward's) for a download button: the permission is
    checked now, in the viewer's session (``PermissionError`` for an edition the viewer may not
    export); the workbook is built when the button is clicked."""
    if ward_code not in report_editions():
        raise PermissionError(f"edition {ward_code or 'district'} is not allowed for this account")
    path = serving_path()
    version, ledger = version_of(path), ledger_version()
    return lambda: _report_workbook(os.fspath(path), period_key, ward_code, version, ledger)


def frozen_editions(period_key: str) -> tuple[Approval | None, list[Approval]]:
    """The district's approval of the period in force (None: none), and the earlier ones (superseded or
    withdrawn), latest first: each has its frozen editions."""
    current = in_force_district(home_from_env(), period_key)
    return current, [a for a in district_approvals(home_from_env(), period_key) if a != current]


def frozen_workbook(approval: Approval, ward_code: str | None = None) -> Callable[[], bytes]:
    """A frozen edition for a download button (the permission checked now): the file written when the
    district approved (written from its snapshot first if a kill kept it from being written)."""
    if ward_code not in report_editions():
        raise PermissionError(f"edition {ward_code or 'district'} is not allowed for this account")
    home = home_from_env()
    edition = ward_code or DISTRICT_CODE

    def read() -> bytes:
        if frozen_path(home, approval, edition) is None:  # a kill while freezing: written now, once
            freeze(home, approval)
        return frozen_path(home, approval, edition).read_bytes()

    return read


def is_amended(period_key: str, ward_code: str | None = None) -> bool:
    """Whether the edition's figures differ from those the district approved (the current workbook is
    then the amended edition)."""
    home = home_from_env()
    approval = in_force_district(home, period_key)
    if approval is None:
        return False
    edition = ward_code or DISTRICT_CODE
    return differs(home, approval, edition, period_figures(period_key, ward_code).hashes[edition])
