"""The child protection page, driven by AppTest over the serving copy of the fixture files (which hold
immunisation only: no protection figure yet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.session import sign_in

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def test_empty_state_says_why(fixture_home, monkeypatch):
    home = fixture_home
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


@pytest.mark.slow
def test_hcdb_children_by_group_and_ward_are_for_the_protection_role(report_home, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(report_home.root))
    leader = sign_in(AppTest.from_file(APP, default_timeout=60), "district_leader").run()
    leader.switch_page("views/protection.py").run()
    assert not leader.exception
    assert any("chỉ dành cho cán bộ bảo vệ trẻ em" in i.value for i in leader.info)
    officer = sign_in(AppTest.from_file(APP, default_timeout=60), "protection_officer").run()
    officer.switch_page("views/protection.py").run()
    assert not officer.exception
    assert not any("chỉ dành cho cán bộ bảo vệ trẻ em" in i.value for i in officer.info)
