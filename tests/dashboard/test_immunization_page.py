"""The health page, driven by AppTest over the serving copy built from the fixture files.

Figures by hand (tests/warehouse/test_fixture_pipeline.py): March 2025 DTP doses 1: Mộ Lao 2, Văn Quán 1;
dose 3: Mộ Lao 1; so the district's cumulative DTP1 = 3 and DTP3 = 1 at the end of March, none before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.session import sign_in

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGE = "views/immunization.py"


def open_page(app: AppTest) -> AppTest:
    """The overview is the default page: run once, then switch to the health page."""
    app.run()
    return app.switch_page(PAGE).run()


def table_with(app: AppTest, column: str):
    return next(d.value for d in app.dataframe if column in d.value.columns)


@pytest.fixture
def app(fixture_home, monkeypatch):
    home = fixture_home
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    return open_page(sign_in(AppTest.from_file(APP, default_timeout=60)))


def test_year_to_date_view_shows_district_figures_and_lagging_wards(app):
    assert not app.exception
    assert app.title[0].value == "Y tế"
    assert app.header[0].value == "Tiêm chủng mở rộng"
    assert [m.value for m in app.metric] == ["3", "1", "66,7%"]
    # 2025 is still running in the fixture data (files up to March): year to date, not a whole year
    assert app.selectbox[0].options == ["Từ đầu năm đến tháng 03/2025", "Tháng 03/2025"]
    assert "Văn Quán (100,0%)" in app.warning[0].value and "Mộ Lao (50,0%)" in app.warning[0].value
    table = app.dataframe[0].value
    mo_lao = table[table["Phường"] == "Mộ Lao"].iloc[0]
    assert (mo_lao["DPT1"], mo_lao["DPT3"], mo_lao["Bỏ cuộc"], mo_lao["Đánh giá"]) == (
        "2",
        "1",
        "50,0%",
        "Chưa đạt",
    )
    assert table.iloc[-1]["Phường"] == "Quận Hà Đông"
    assert "3 tệp đã nạp, 2 tệp cách ly" in app.caption[0].value
    assert app.caption[0].value.startswith("Dữ liệu tính đến ")


def test_month_selection(app):
    app.selectbox[0].select_index(app.selectbox[0].options.index("Tháng 03/2025")).run()
    assert not app.exception
    assert [m.value for m in app.metric] == ["3", "1", "66,7%"]


def test_doses_by_vaccine_and_dose(app):
    table = table_with(app, "DPT-VGB-Hib – mũi 1")
    district = table[table["Phường"] == "Toàn quận"].iloc[0]
    assert (
        district["DPT-VGB-Hib – mũi 1"],
        district["DPT-VGB-Hib – mũi 2"],
        district["DPT-VGB-Hib – mũi 3"],
    ) == (
        "3",
        "1",
        "1",
    )
    assert (
        district["BCG – mũi 1"],
        district["OPV – mũi 1"],
        district["IPV – mũi 1"],
        district["Sởi – mũi 1"],
    ) == (
        "1",
        "2",
        "1",
        "1",
    )
    mo_lao = table[table["Phường"] == "Mộ Lao"].iloc[0]
    assert mo_lao["DPT-VGB-Hib – mũi 1"] == "2" and mo_lao["DPT-VGB-Hib – mũi 3"] == "1"
    assert sorted(table["Phường"]) == sorted(["Hà Cầu", "Mộ Lao", "Văn Quán", "Toàn quận"])


def test_monitoring_chart_cumulative_dtp_for_the_district_and_a_ward(app):
    assert app.header[2].value == "Biểu đồ giám sát tiêm chủng năm 2025"
    table = table_with(app, "DPT1 cộng dồn")
    assert list(table["Tháng"]) == ["Tháng 01/2025", "Tháng 02/2025", "Tháng 03/2025"]
    assert list(table["DPT1 cộng dồn"]) == ["0", "0", "3"]
    assert list(table["DPT3 cộng dồn"]) == ["0", "0", "1"]
    assert table.iloc[-1]["Bỏ cuộc cộng dồn"] == "66,7%"
    # no register loaded: no target population, and the note says so
    assert list(table["Mục tiêu cộng dồn"]) == ["–", "–", "–"]
    assert any("Chưa có đường mục tiêu" in c.value for c in app.caption)

    ward = app.selectbox(key="monitor_ward")
    ward.select_index(ward.options.index("Văn Quán")).run()
    assert not app.exception
    table = table_with(app, "DPT1 cộng dồn")
    assert list(table["DPT1 cộng dồn"]) == ["0", "0", "1"]
    assert list(table["DPT3 cộng dồn"]) == ["0", "0", "0"]

    ward.select_index(ward.options.index("Phú La")).run()
    assert any("Chưa có mũi DPT-VGB-Hib 1 hay 3 nào năm 2025 (Phú La)" in i.value for i in app.info)


def test_coverage_and_vitamin_a_empty_states_say_why(app):
    infos = [i.value for i in app.info]
    assert any("Chưa tính được tỷ lệ tiêm chủng đầy đủ" in i and "sổ theo dõi" in i for i in infos)
    assert any("Chưa có đợt uống vitamin A nào có số liệu" in i for i in infos)
    # a CSV download under every table
    assert len(app.get("download_button")) == len(app.dataframe) == 3


def test_empty_state_before_the_first_publish(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(tmp_path))
    app = open_page(sign_in(AppTest.from_file(APP, default_timeout=30)))
    assert not app.exception
    assert "Chưa có dữ liệu" in app.info[0].value
