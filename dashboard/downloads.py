"""Every download button of the dashboard: tables leave as CSV through ``access.exports.csv_bytes``
(text that would run as a formula neutralised), report workbooks as the reports module wrote them
(their text cells marked as text). The file is made only when the button is clicked; the click is
served outside the page's run, where there is no session, so the session is taken now and checked
again at the click (still signed in, not idle too long, the account unchanged). Downloads of
child-level data and report exports are written to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

import pandas as pd
import streamlit as st

from access import audit
from access.exports import csv_bytes
from base.home import home_from_env
from dashboard import auth
from dashboard.i18n import t

MIME = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LIST_LABEL = ("Tải danh sách (CSV)", "Download list (CSV)")
Content = pd.DataFrame | Callable[[], pd.DataFrame | bytes]


def file_data(
    content: Content, file_name: str, logged: tuple[str, str | None, str] | None = None
) -> Callable[[], bytes]:
    """The bytes of a download, made at the click: a table as safe CSV, a workbook as it is.
    ``logged`` is the audit entry of the click (action, ward, what)."""
    session, root = auth.current_session(), home_from_env().root
    csv = PurePath(file_name).suffix == ".csv"

    def data() -> bytes:
        if not auth.session_is_live(session):
            raise PermissionError("the session ended before the download")
        if logged is not None:
            viewer = session["viewer"]
            action, ward_code, what = logged
            audit.record(root, viewer.username, action, viewer.role.value, ward_code, what)
        made = content() if callable(content) else content
        if csv:
            return csv_bytes(made)
        if isinstance(made, pd.DataFrame):
            raise TypeError(f"{file_name}: a table leaves as CSV only")
        return made

    return data


def download(
    content: Content,
    file_name: str,
    key: str,
    label: tuple[str, str] = ("Tải bảng (CSV)", "Download table (CSV)"),
    logged: tuple[str, str | None, str] | None = None,
    primary: bool = False,
) -> None:
    """A download button for ``content`` saved as ``file_name`` (.csv or .xlsx)."""
    st.download_button(
        t(*label),
        file_data(content, file_name, logged),
        file_name=file_name,
        mime=MIME[PurePath(file_name).suffix],
        key=key,
        on_click="ignore",
        **({"type": "primary", "icon": "📥"} if primary else {}),
    )
