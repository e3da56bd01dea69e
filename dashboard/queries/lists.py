"""The child-level lists of the restricted file, shown only when it and the serving copy come from one
publish."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from access.roles import Viewer
from base.home import home_from_env
from dashboard import auth, scope
from dashboard.queries.serving import query, serving_path, version_of
from serving.contract import pair_is_current


def restricted_path() -> Path:
    """The restricted serving file of child lists (only written when the lists are enabled)."""
    return home_from_env().serving_restricted


def restricted_version() -> float | None:
    return version_of(restricted_path())


LISTS_OUT_OF_STEP = (
    "Danh sách đang được cập nhật: tệp danh sách và số liệu đang hiển thị thuộc hai lần xuất bản khác "
    "nhau, nên danh sách tạm chưa hiển thị. Hãy tải lại trang sau khi lượt chạy `treem run` hiện tại "
    "kết thúc; nếu vẫn thấy thông báo này, hãy chạy lại `treem run`."
)


LISTS_OUT_OF_STEP_EN = (
    "The lists are being updated: the list file and the figures shown come from two different "
    "publishes, so the lists are not shown for now. Reload the page once the current `treem run` has "
    "finished; if this message remains, run `treem run` again."
)


class ListsOutOfStep(RuntimeError):
    """The restricted file and the serving copy were not published together: its lists would not match
    the figures (a publish is under way or was cut short, or a file predates the publish stamps)."""

    def __init__(self) -> None:
        super().__init__(LISTS_OUT_OF_STEP)


@st.cache_data(show_spinner=False, max_entries=32)
def _read_lists(
    path: str, serving: str, sql: str, params: tuple, versions: tuple, viewer: Viewer | None
) -> pd.DataFrame:
    con = scope.connect(path, versions[0], viewer)
    try:
        # the stamps are compared on the files this connection holds open, the ones the rows come from:
        # a publish that replaces either meanwhile cannot slip a file of another run in between
        if not os.path.exists(serving):
            raise ListsOutOfStep
        con.execute("attach ? as serving (read_only)", [serving])
        if not pair_is_current(con, "s", "serving"):
            raise ListsOutOfStep
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def _query_lists(sql: str, params: tuple) -> pd.DataFrame:
    """``sql`` over the restricted file, through the viewer's views of it; empty when there is none.
    Raises ``ListsOutOfStep`` unless it and the serving copy bear the same publish stamp (a file with
    no stamp, published before the stamps, matches nothing)."""
    path, serving = restricted_path(), serving_path()
    version = version_of(path)
    if version is None:
        return pd.DataFrame()
    versions = (version, version_of(serving))
    return _read_lists(os.fspath(path), os.fspath(serving), sql, params, versions, auth.current_viewer())


def restricted_wards() -> pd.DataFrame:
    """Ward codes with at least one child listed: ward_code, children."""
    return _query_lists(
        "select ward_code, count(distinct member_key) as children from child_reconciliation group by all",
        (),
    )


def child_list(ward_code: str) -> pd.DataFrame:
    """The children of one ward who still need something (restricted file only; one row per child ×
    check × item, e.g. each overdue dose); empty when the file is missing."""
    return _query_lists(
        """
        select as_of_date, check_code, ward_code, member_key, child_name, mother_name, birth_date, sex,
               residence, age_months, registration_date, card_valid_to, vaccine_code, dose_number,
               due_date, days_overdue, last_support_date, source
        from child_reconciliation
        where ward_code = ?
        order by check_code, child_name, birth_date, vaccine_code, dose_number
        """,
        (ward_code,),
    )


def reconciliation_check_names() -> pd.DataFrame:
    """The cross-source checks (serving copy): check_code, sort_order, name_vi, name_en, description_vi."""
    return query(
        "select check_code, sort_order, name_vi, name_en, description_vi, description_en "
        "from reconciliation_checks order by sort_order"
    )


def protection_cases() -> pd.DataFrame:
    """The protection cases one by one (pseudonymous codes, no names) from the restricted file: the
    protection officer's ward, or the whole district; empty for every other role."""
    return _query_lists(
        """
        select p.ward_code, p.case_id, p.child_code, p.age, p.sex, p.abuse_type, p.reported_date,
               p.intervened_date, p.days_to_intervention, p.timely, p.support_measure, p.case_status
        from protection_cases p
        order by p.reported_date desc, p.ward_code, p.case_id
        """,
        (),
    )
