"""Entry point: `streamlit run dashboard/app.py` (or `treem dashboard`)."""

import os
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so `dashboard` imports without installing

from dashboard.i18n import LANGUAGES, t  # noqa: E402

st.set_page_config(page_title="treem – Trẻ em Hà Đông", page_icon="🧒", layout="wide")
st.sidebar.radio(
    "Ngôn ngữ / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True
)

pages = {
    t("Chung", "Overview"): [
        st.Page(
            "views/overview.py",
            title=t("Tổng quan", "Overview"),
            icon="📊",
            url_path="tong-quan",
            default=True,
        ),
        st.Page("views/ward.py", title=t("Phường", "Ward"), icon="🏘️", url_path="phuong"),
    ],
    t("Lĩnh vực", "Sectors"): [
        st.Page("views/immunization.py", title=t("Y tế", "Health"), icon="💉", url_path="tiem-chung"),
        st.Page(
            "views/registration.py",
            title=t("Hộ tịch & BHYT", "Registration & insurance"),
            icon="📝",
            url_path="ho-tich-bhyt",
        ),
        st.Page(
            "views/protection.py",
            title=t("Bảo vệ trẻ em", "Child protection"),
            icon="🛡️",
            url_path="bao-ve-tre-em",
        ),
    ],
    t("Dữ liệu", "Data"): [
        st.Page(
            "views/reports.py",
            title=t("Báo cáo định kỳ", "Periodic reports"),
            icon="📥",
            url_path="bao-cao",
        ),
        st.Page(
            "views/quality.py",
            title=t("Báo cáo & chất lượng dữ liệu", "Reporting & data quality"),
            icon="✅",
            url_path="chat-luong-du-lieu",
        ),
    ],
}
# child-level lists: off until access control lands (issue 8), unless explicitly enabled
if os.environ.get("TREEM_DASHBOARD_CHILD_LISTS") == "1":
    pages[t("Dữ liệu", "Data")].append(
        st.Page(
            "views/children.py",
            title=t("Danh sách cần hỗ trợ", "Children to follow up"),
            icon="👶",
            url_path="danh-sach",
        )
    )
st.navigation(pages).run()
