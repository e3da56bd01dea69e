"""The immunisation page, driven by AppTest over the serving copy built from the fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def app(fixture_pipeline, monkeypatch):
    home, _ = fixture_pipeline
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    return AppTest.from_file(APP, default_timeout=60)


def test_year_to_date_view_shows_district_figures_and_lagging_wards(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Tiêm chủng mở rộng"
    assert [m.value for m in app.metric] == ["3", "1", "66,7%"]
    # 2025 is still running in the fixture data (files up to March): year to date, not a whole year
    assert app.selectbox[0].options == ["Từ đầu năm đến tháng 03/2025", "Tháng 03/2025"]
    assert "Văn Quán (100,0%)" in app.warning[0].value and "Mộ Lao (50,0%)" in app.warning[0].value
    table = app.dataframe[0].value
    mo_lao = table[table["Phường"] == "Mộ Lao"].iloc[0]
    assert (mo_lao["DPT1"], mo_lao["DPT3"], mo_lao["Bỏ cuộc"], mo_lao["Mục tiêu"]) == (
        "2",
        "1",
        "50,0%",
        "Chưa đạt",
    )
    assert table.iloc[-1]["Phường"] == "Quận Hà Đông"
    assert "3 tệp đã nạp, 2 tệp cách ly" in app.caption[0].value


def test_month_selection(app):
    app.run()
    app.selectbox[0].select_index(app.selectbox[0].options.index("Tháng 03/2025")).run()
    assert not app.exception
    assert [m.value for m in app.metric] == ["3", "1", "66,7%"]


def test_empty_state_before_the_first_publish(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    assert "Chưa có dữ liệu" in app.info[0].value
