"""Signing in to the dashboard, through AppTest: the form before anything else, refused and slowed
after wrong passwords, sessions that expire, accounts disabled while signed in; all in the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from access import accounts, audit
from access.roles import Role

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PASSWORD = "mat-khau-cua-lan-2026"


@pytest.fixture
def home(fixture_home, tmp_path, monkeypatch):
    """The fixture's serving copy in a home of its own, with one ward officer's account."""
    source = fixture_home
    root = tmp_path / "home"
    root.mkdir()
    (root / "serving.duckdb").write_bytes(source.serving.read_bytes())
    accounts.add_account(root, "lan", PASSWORD, Role.WARD_OFFICER, "09541", "Nguyễn Thị Lan")
    monkeypatch.setenv("TREEM_HOME", str(root))
    return root


def _try(app: AppTest, username: str, password: str) -> AppTest:
    app.text_input[0].input(username)
    app.text_input[1].input(password)
    return app.button[0].click().run()


def test_nothing_but_the_form_before_signing_in(home):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Đăng nhập"]
    assert not app.dataframe and not app.metric  # no figure of any kind


def test_signing_in_opens_the_overview_limited_to_the_officers_ward(home):
    app = _try(AppTest.from_file(APP, default_timeout=60).run(), "lan", PASSWORD)
    assert not app.exception
    assert app.title[0].value == "Tổng quan"
    assert "Nguyễn Thị Lan · Cán bộ phường · 09541" in [c.value for c in app.sidebar.text]
    assert audit.entries(home)[0].action == audit.LOGIN_OK


def test_three_wrong_passwords_slow_the_next_try(home):
    app = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(3):
        app = _try(app, "lan", "sai-mat-khau-000")
        assert app.error[0].value == "Sai tên đăng nhập hoặc mật khẩu."
    app = _try(app, "lan", PASSWORD)  # right, but too soon
    assert app.error[0].value.startswith("Đã nhập sai nhiều lần: hãy thử lại sau ")
    assert app.title[0].value == "Đăng nhập"
    actions = [e.action for e in reversed(audit.entries(home)) if e.action != audit.ACCOUNT_CHANGE]
    assert actions == [audit.LOGIN_ATTEMPT, audit.LOGIN_FAILED] * 3 + [audit.LOGIN_THROTTLED]


def test_an_idle_session_expires(home):
    app = _try(AppTest.from_file(APP, default_timeout=60).run(), "lan", PASSWORD)
    app.session_state["treem_session"]["last_seen"] -= dt.timedelta(minutes=31)
    app.run()
    assert "Phiên làm việc đã hết hạn" in app.info[0].value
    assert app.title[0].value == "Đăng nhập"
    assert audit.entries(home)[0].action == audit.SESSION_EXPIRED


def test_disabling_an_account_ends_its_session(home):
    app = _try(AppTest.from_file(APP, default_timeout=60).run(), "lan", PASSWORD)
    accounts.disable_account(home, "lan")
    app.run()
    assert app.title[0].value == "Đăng nhập"
    assert "bị khóa" in app.warning[0].value


def test_a_download_prepared_in_a_session_is_refused_once_the_session_ends(home):
    """Streamlit serves a download's click outside the page's run: the session is checked again then."""
    from dashboard import auth

    app = _try(AppTest.from_file(APP, default_timeout=60).run(), "lan", PASSWORD)
    session = app.session_state["treem_session"]
    assert auth.session_is_live(session)
    session["last_seen"] -= dt.timedelta(minutes=31)  # idle too long
    assert not auth.session_is_live(session)
    session["last_seen"] += dt.timedelta(minutes=31)
    accounts.disable_account(home, "lan")
    assert not auth.session_is_live(session)
