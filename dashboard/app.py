"""Entry point: `streamlit run dashboard/app.py` (`treem dashboard` serves it through server.py).

An unexpected error on a page shows a Vietnamese sentence and an error code; the traceback goes to the
server's log under that code, never to the browser."""

import logging
import secrets
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so `dashboard` imports without installing

from base.file_modes import use_private_umask  # noqa: E402
from dashboard import auth  # noqa: E402
from dashboard.i18n import LANGUAGES, t  # noqa: E402

use_private_umask()  # `streamlit run dashboard/app.py` started without the treem command
st.set_page_config(page_title="treem – Trẻ em Hà Đông", page_icon="🧒", layout="wide")
# tile titles wrap instead of ending in '…'; Streamlit's English hint under form fields
# ("Press Enter to submit form") is hidden, Enter still submits; while a page runs, Streamlit's running
# figure stays (it has no text) and its English "Stop" button goes; the file picker's English "Upload" and
# size line give way to "Chọn tệp" (the page says which files it takes)
st.markdown(
    """<style>
    [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
        white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
        height: auto !important;
    }
    [data-testid="InputInstructions"], [data-testid="stAppDeployButton"],
    [data-testid="stStatusWidget"] button,
    [data-testid="stFileUploaderDropzoneInstructions"] { display: none !important; }
    [data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p {
        font-size: 0 !important;
    }
    [data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p::after {
        content: "Chọn tệp"; font-size: 0.875rem;
    }
    </style>""",
    unsafe_allow_html=True,
)
st.sidebar.radio(
    "Ngôn ngữ / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True
)


def page(path: str, vi: str, en: str, icon: str, url_path: str, default: bool = False) -> st.Page:
    return st.Page(path, title=t(vi, en), icon=icon, url_path=url_path, default=default)


def main() -> None:
    """The signed-in viewer's navigation and page, or the sign-in form."""
    viewer = auth.signed_in_viewer()
    # every role sees the aggregate pages (limited to its ward by the query layer); lists, detail and the
    # audit log only where its role allows. Before sign-in every page is declared (hidden) so that a link
    # to one still leads there once signed in.
    anyone = viewer is None
    general = [
        page("views/overview.py", "Tổng quan", "Overview", "📊", "tong-quan", default=True),
        page("views/ward.py", "Phường", "Ward", "🏘️", "phuong"),
    ]
    sectors = [
        page("views/immunization.py", "Y tế", "Health", "💉", "tiem-chung"),
        page("views/registration.py", "Hộ tịch & BHYT", "Registration & insurance", "📝", "ho-tich-bhyt"),
        page("views/protection.py", "Bảo vệ trẻ em", "Child protection", "🛡️", "bao-ve-tre-em"),
    ]
    data = [
        page("views/reports.py", "Báo cáo định kỳ", "Periodic reports", "📥", "bao-cao"),
        page(
            "views/quality.py",
            "Báo cáo & chất lượng dữ liệu",
            "Reporting & data quality",
            "✅",
            "chat-luong-du-lieu",
        ),
    ]
    if anyone or viewer.sees_child_lists:
        data.append(
            page("views/children.py", "Danh sách cần hỗ trợ", "Children to follow up", "👶", "danh-sach")
        )
    if anyone or viewer.sees_case_lists:
        sectors.append(page("views/cases.py", "Danh sách vụ việc", "Protection cases", "📁", "vu-viec"))
    if anyone or viewer.sees_quality_detail:
        data.append(page("views/audit.py", "Nhật ký truy cập", "Access log", "🔎", "nhat-ky"))
    office = viewer is not None and viewer.sends_extracts
    submit = page("views/submit.py", "Nộp báo cáo", "Send an extract", "📤", "nop-bao-cao", default=office)
    pages = {t("Chung", "Overview"): general, t("Lĩnh vực", "Sectors"): sectors, t("Dữ liệu", "Data"): data}
    if office:  # an office sees its own submissions and nothing of the warehouse
        pages = {t("Đơn vị gửi", "Offices"): [submit]}
    elif anyone:
        pages[t("Đơn vị gửi", "Offices")] = [submit]
    navigation = st.navigation(pages, position="hidden" if anyone else "sidebar")
    if viewer is None:
        auth.sign_in_form()
        st.stop()
    auth.sidebar(viewer)
    navigation.run()


try:
    main()
except Exception:  # st.stop and st.rerun are not Exceptions: they pass
    code = secrets.token_hex(4)
    logging.getLogger("treem.dashboard").exception("error %s", code)
    st.error(
        t(
            f"Trang gặp lỗi không mong đợi (mã lỗi {code}). Hãy thử tải lại trang; nếu vẫn lỗi, báo kỹ sư "
            "dữ liệu của quận mã lỗi này.",
            f"The page hit an unexpected error (code {code}). Reload the page; if it persists, give this "
            "code to the district's data engineer.",
        )
    )
