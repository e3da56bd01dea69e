"""The ward scorecard (Phường), driven by AppTest over the serving copy built from the fixture files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import formatting
from tests.dashboard.session import sign_in

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard" / "views" / "ward.py")


def mart(home, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(home.serving), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture
def home(fixture_home, monkeypatch):
    home = fixture_home
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    return home


@pytest.fixture
def page(home):
    return sign_in(AppTest.from_file(PAGE, default_timeout=60))


def ward_code(home, name: str) -> str:
    return mart(home, "select ward_code from dim_ward where is_current and ward_name = ?", name)[0][0]


def ward_value(home, code: str, period_key: str, indicator: str):
    return mart(
        home,
        "select value from fct_ward_indicators "
        "where org_unit_code = ? and period_key = ? and indicator_code = ?",
        code,
        period_key,
        indicator,
    )[0][0]


def row(table, indicator: str):
    return table[table.iloc[:, 0] == indicator].iloc[0]


def test_a_ward_from_the_link_shows_its_own_figures(home, page):
    code = ward_code(home, "Mộ Lao")
    page.query_params["ward"] = code
    page.run()
    assert not page.exception
    assert page.title[0].value == "Phường"
    assert page.caption[0].value.startswith("Dữ liệu tính đến ")
    assert page.selectbox(key="ward_code").value == code
    assert page.selectbox(key="ward_period").value == "YTD-2025-03"
    assert page.subheader[0].value.startswith("Mộ Lao")
    scorecard = page.dataframe[0].value
    assert len(scorecard) == len(mart(home, "select * from indicators"))
    dropout = row(scorecard, "Tỷ lệ bỏ cuộc DPT1→DPT3")
    expected = formatting.percent(ward_value(home, code, "YTD-2025-03", "dtp_dropout"))
    assert dropout["Giá trị"] == expected == "50,0%"
    assert dropout["Chỉ tiêu"] == "≤ 10%"
    assert dropout["Đánh giá"] == "Chưa đạt"
    # two wards gave DTP doses: Mộ Lao (50%) ranks ahead of Văn Quán (100%)
    assert dropout["Xếp hạng"] == "1/2"
    assert dropout["Toàn quận"] == "66,7%"


def test_switching_the_ward(home, page):
    page.run()
    code = ward_code(home, "Văn Quán")
    page.selectbox(key="ward_code").set_value(code).run()
    assert not page.exception
    assert page.query_params["ward"] == code
    dropout = row(page.dataframe[0].value, "Tỷ lệ bỏ cuộc DPT1→DPT3")
    assert dropout["Giá trị"] == formatting.percent(ward_value(home, code, "YTD-2025-03", "dtp_dropout"))
    assert dropout["Xếp hạng"] == "2/2"


def test_reporting_record_and_data_quality(home, page):
    code = ward_code(home, "Mộ Lao")
    page.query_params["ward"] = code
    page.run()
    record = page.dataframe[1].value
    name = mart(home, "select any_value(name_vi) from extract_calendar where source = 'immunization'")[0][0]
    immunization = record[record["Nguồn"] == name].iloc[0]
    owed, on_time = mart(
        home,
        "select count(*) filter (where expected), count(*) filter (where expected and on_time) "
        "from fct_report_submissions where org_unit_code = ? and source = 'immunization' "
        "and year(period_end) = 2025",
        code,
    )[0]
    assert (immunization["Phải gửi"], immunization["Đúng hạn"]) == (owed, on_time)
    assert immunization["Đã nhận"] >= 1  # March's file, sent on 8 April
    quality = page.dataframe[2].value
    assert name in set(quality["Nguồn"])
    assert len(page.get("download_button")) == 3


def test_english(home, page):
    page.session_state["lang"] = "en"
    page.query_params["ward"] = ward_code(home, "Mộ Lao")
    page.run()
    assert not page.exception
    assert page.title[0].value == "Ward"
    assert row(page.dataframe[0].value, "DTP1 to DTP3 dropout rate")["Status"] == "Behind"


def test_empty_state_before_the_first_publish(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(tmp_path))
    app = sign_in(AppTest.from_file(PAGE, default_timeout=30)).run()
    assert not app.exception
    assert "Chưa có dữ liệu" in app.info[0].value
