"""Danh sách vụ việc: protection cases one by one, for protection officers (their ward, or the whole
district), from the restricted serving file. Children appear by the ward's pseudonymous code only;
every look and download is written to the audit log."""

import streamlit as st

from access import audit
from dashboard import downloads, formatting, page
from dashboard.auth import current_viewer
from dashboard.i18n import t
from dashboard.queries import audit_trail, lists, serving

st.title(t("Danh sách vụ việc bảo vệ trẻ em", "Protection cases"))
viewer = current_viewer()
cases = page.lists(lists.protection_cases)
audit_trail.log_once(audit.VIEW_CASE_LIST, viewer.ward_code, f"{len(cases)} vụ")
if cases.empty:
    st.info(t("Không có vụ việc nào trong phạm vi của tài khoản.", "No case within this account's scope."))
    st.stop()
wards = dict(serving.current_wards().itertuples(index=False, name=None))
st.caption(
    t(
        f"{formatting.number(len(cases))} vụ việc · phạm vi: {wards.get(viewer.ward_code, 'toàn quận')}",
        f"{formatting.number(len(cases))} cases · scope: {wards.get(viewer.ward_code, 'whole district')}",
    )
)
shown = cases.assign(ward=cases["ward_code"].map(lambda c: wards.get(c, c))).drop(columns=["ward_code"])
st.dataframe(shown, hide_index=True, width="stretch")
downloads.download(
    shown,
    f"vu-viec-{viewer.ward_code or 'toan-quan'}.csv",
    "cases_csv",
    label=downloads.LIST_LABEL,
    logged=(audit.DOWNLOAD_CASE_LIST, viewer.ward_code, "vu-viec.csv"),
)
