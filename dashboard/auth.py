"""Sign-in for the dashboard: the form, the session (which expires when idle), sign-out, and the
audit log entries of each. The signed-in viewer is kept in the session state; the query layer reads
it from there (``current_viewer``) to limit every query."""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from access import accounts, audit
from access.roles import ROLE_NAMES, Viewer
from base.clock import local_now
from base.home import home_from_env
from dashboard.i18n import t

SESSION_KEY = "treem_session"


def client_address() -> str:
    """The browser's address, for the sign-in limit per address: the connection's, as the web server
    reports it (it reads X-Forwarded-For only from the proxy named by ``TREEM_TRUSTED_PROXY``, see
    ``treem.cli.dashboard_env``); a browser on this machine is 'localhost'."""
    address = st.context.ip_address  # None on this machine; not a text in a test without a browser
    return address if isinstance(address, str) and address else "localhost"


def idle_limit() -> dt.timedelta:
    """How long a session may stay idle (``TREEM_SESSION_MINUTES``, default 30)."""
    return dt.timedelta(minutes=float(os.environ.get("TREEM_SESSION_MINUTES", "30")))


def current_session() -> dict | None:
    return st.session_state.get(SESSION_KEY)


def current_viewer() -> Viewer | None:
    session = current_session()
    return session["viewer"] if session else None


def session_is_live(session: dict | None) -> bool:
    """A session is live while it is signed in, not idle too long, and its account unchanged."""
    return (
        session is not None
        and not session.get("ended")
        and local_now() - session["last_seen"] <= idle_limit()
        and _still_valid(session["viewer"])
    )


def start_session(viewer: Viewer) -> None:
    st.session_state[SESSION_KEY] = {"viewer": viewer, "last_seen": local_now()}


def _end(action: str) -> None:
    session = st.session_state.pop(SESSION_KEY, None)
    if session is not None:
        session["ended"] = True  # a download prepared in it is refused from now on
        viewer = session["viewer"]
        audit.record(home_from_env().root, viewer.username, action, viewer.role.value, viewer.ward_code)


def _still_valid(viewer: Viewer) -> bool:
    """The account still exists, is not disabled, and keeps the same role and ward."""
    account = accounts.get_account(home_from_env().root, viewer.username)
    return account is not None and not account.disabled and account.viewer() == viewer


def signed_in_viewer() -> Viewer | None:
    """The signed-in viewer, or None (after saying why when a session has just ended)."""
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        return None
    now = local_now()
    if now - session["last_seen"] > idle_limit():
        _end(audit.SESSION_EXPIRED)
        st.info(
            t("Phiên làm việc đã hết hạn: hãy đăng nhập lại.", "Your session expired: please sign in again.")
        )
        return None
    if not _still_valid(session["viewer"]):
        _end(audit.LOGOUT)
        st.warning(
            t(
                "Tài khoản đã bị khóa hoặc đổi quyền: hãy đăng nhập lại.",
                "The account changed: sign in again.",
            )
        )
        return None
    session["last_seen"] = now
    return session["viewer"]


def sign_in_form() -> None:
    st.title(t("Đăng nhập", "Sign in"))
    st.caption(t("Dữ liệu trẻ em quận Hà Đông: chỉ người được cấp tài khoản.", "For account holders only."))
    with st.form("sign_in"):
        username = st.text_input(t("Tên đăng nhập", "User name"))
        password = st.text_input(t("Mật khẩu", "Password"), type="password")
        submitted = st.form_submit_button(t("Đăng nhập", "Sign in"), type="primary")
    if submitted:
        try:
            viewer = accounts.authenticate(home_from_env().root, username, password, client=client_address())
        except accounts.LoginRefused as refused:
            st.error(str(refused))
            return
        start_session(viewer)
        st.rerun()


def sidebar(viewer: Viewer) -> None:
    role_vi, role_en = ROLE_NAMES[viewer.role]
    scope = viewer.ward_code or t("toàn quận", "whole district")
    st.sidebar.text(f"{viewer.name} · {t(role_vi, role_en)} · {scope}")  # text: a name is never markup
    if st.sidebar.button(t("Đăng xuất", "Sign out")):
        _end(audit.LOGOUT)
        st.rerun()
