"""What every page starts with: its title, and either the serving copy's stamp or, before the first
publish, a message saying why there is nothing to show (the page stops there); and, for the list
pages, the lists or the message saying they are being updated."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import formatting
from dashboard.i18n import t
from dashboard.queries import lists as lists_queries
from dashboard.queries import serving


def header(title_vi: str, title_en: str) -> dict:
    """The page title and the 'data as of' stamp; returns the serving copy's metadata."""
    st.title(t(title_vi, title_en))
    meta = serving.serving_meta()
    if meta is None:
        st.info(
            t(
                "Chưa có dữ liệu: bản phục vụ chưa được xuất bản. "
                "Hãy chạy `treem run` sau khi các tệp đã vào hộp thư.",
                "No data yet: the serving copy has not been published. "
                "Run `treem run` once files are in the inboxes.",
            )
        )
        st.stop()
    loaded, quarantined = (
        formatting.number(meta["files_loaded"]),
        formatting.number(meta["files_quarantined"]),
    )
    st.caption(
        t(
            f"Dữ liệu tính đến {formatting.datetime(meta['data_as_of'])} · xuất bản lúc "
            f"{formatting.datetime(meta['published_at'])} · {loaded} tệp đã nạp, {quarantined} tệp cách ly",
            f"Data as of {formatting.datetime(meta['data_as_of'])} · published at "
            f"{formatting.datetime(meta['published_at'])} · {loaded} files loaded, {quarantined} quarantined",
        )
    )
    return meta


def lists(read: Callable[..., pd.DataFrame], *args: object) -> pd.DataFrame:
    """``read(*args)``, a query of the restricted file; when that file and the serving copy come from
    different publishes, the message saying the lists are being updated instead (the page stops there)."""
    try:
        return read(*args)
    except lists_queries.ListsOutOfStep:
        st.info(t(lists_queries.LISTS_OUT_OF_STEP, lists_queries.LISTS_OUT_OF_STEP_EN))
        st.stop()
