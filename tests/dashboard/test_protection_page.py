"""The child protection page, driven by AppTest over the serving copy of the fixture files (which hold
immunisation only: no protection figure yet)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.dashboard.session import sign_in

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def test_empty_state_says_why(fixture_pipeline, monkeypatch):
    home, _ = fixture_pipeline
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    app = sign_in(AppTest.from_file(APP, default_timeout=60)).run()
    app.switch_page("views/protection.py").run()
    assert not app.exception
    assert app.title[0].value == "Bảo vệ trẻ em"
    assert "Dữ liệu tính đến" in app.caption[0].value
    assert "Chưa có số liệu bảo vệ trẻ em" in app.info[0].value
    assert not app.selectbox  # no period to choose


def test_no_serving_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(tmp_path))
    app = sign_in(AppTest.from_file(APP, default_timeout=60)).run()
    app.switch_page("views/protection.py").run()
    assert not app.exception
    assert "Chưa có dữ liệu" in app.info[0].value
