"""The overview page (Tổng quan), driven by AppTest over the serving copy built from the fixture files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from dashboard import formatting
from tests.dashboard.session import sign_in

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
APP = str(DASHBOARD / "app.py")
PAGE = str(DASHBOARD / "views" / "overview.py")


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


def tile(app, label: str):
    return next(m for m in app.metric if m.label == label)


def district_value(home, period_key: str, code: str = "dtp_dropout"):
    rows = mart(
        home,
        "select value from fct_ward_indicators "
        "where org_unit_level = 'district' and period_key = ? and indicator_code = ?",
        period_key,
        code,
    )
    return rows[0][0]


def test_default_period_is_the_latest_year_to_date_and_tiles_match_the_mart(home, page):
    page.run()
    assert not page.exception
    assert page.title[0].value == "Tổng quan"
    assert page.caption[0].value.startswith("Dữ liệu tính đến ")
    period_type, period = page.selectbox[0], page.selectbox[1]
    assert period_type.value == "ytd"
    assert period.value == "YTD-2025-03"  # the fixture files are for March 2025
    assert period_type.options == ["Tháng", "Quý", "Lũy kế từ đầu năm"]
    # one tile per indicator of the catalogue
    names = [r[0] for r in mart(home, "select name_vi from indicators")]
    assert sorted(m.label for m in page.metric) == sorted(names)
    dropout = tile(page, "Tỷ lệ bỏ cuộc DPT1→DPT3")
    assert dropout.value == formatting.percent(district_value(home, "YTD-2025-03")) == "66,7%"
    # a district leader sees injury deaths for calendar years only: a year-to-date window is hidden
    assert tile(page, "Số trẻ tử vong do tai nạn thương tích").value == "ẩn"


def test_a_protection_officer_sees_the_year_to_date_injury_deaths(home, monkeypatch):
    from tests.dashboard.session import sign_in

    page = sign_in(AppTest.from_file(PAGE, default_timeout=60), "protection_officer").run()
    deaths = tile(page, "Số trẻ tử vong do tai nạn thương tích")
    assert deaths.value == formatting.number(district_value(home, "YTD-2025-03", "injury_deaths")) == "0"


def test_the_table_lists_the_fifteen_wards_and_the_district(home, page):
    page.run()
    wards = sorted(r[0] for r in mart(home, "select ward_name from dim_ward where is_current"))
    assert len(wards) == 15
    table = page.dataframe[0].value
    assert sorted(table["Phường"].iloc[:-1]) == wards
    assert table["Phường"].iloc[-1] == "Quận Hà Đông"
    mo_lao = table[table["Phường"] == "Mộ Lao"].iloc[0]
    assert mo_lao["Tỷ lệ bỏ cuộc DPT1→DPT3"] == "50,0%"
    assert table.iloc[-1]["Tỷ lệ bỏ cuộc DPT1→DPT3"] == "66,7%"
    # every table has a CSV download under it
    assert len(page.get("download_button")) == len(page.dataframe) == 2


def test_switching_the_period_changes_the_tiles(home, page):
    page.run()
    page.selectbox[1].set_value("YTD-2025-02").run()
    assert not page.exception
    # no DTP doses in the fixture files before March: the tile says so, as the mart does
    assert district_value(home, "YTD-2025-02") is None
    assert tile(page, "Tỷ lệ bỏ cuộc DPT1→DPT3").value == "–"
    page.selectbox[0].set_value("month").run()
    assert not page.exception
    assert page.selectbox[1].value == "2025-03"
    assert tile(page, "Tỷ lệ bỏ cuộc DPT1→DPT3").value == formatting.percent(district_value(home, "2025-03"))


def test_needs_attention_lists_wards_behind_target(page):
    page.run()
    attention = page.dataframe[1].value
    assert set(attention.columns) == {"Phường", "Chỉ số", "Giá trị", "Chỉ tiêu"}
    behind = attention[attention["Chỉ số"] == "Tỷ lệ bỏ cuộc DPT1→DPT3"]
    # Văn Quán (100%) is further behind the 10% threshold than Mộ Lao (50%)
    assert list(behind["Phường"]) == ["Văn Quán", "Mộ Lao"]


def heatmap(app) -> tuple[dict, pd.DataFrame]:
    chart = app.get("vega_lite_chart")[0].proto
    return json.loads(chart.spec), dataframe_util.convert_arrow_bytes_to_pandas_df(
        chart.datasets[0].data.data
    )


def test_the_heatmap_has_every_ward_and_the_district_each_linking_to_its_page(home, page):
    page.run()
    spec, data = heatmap(page)
    codes = dict(mart(home, "select ward_name, ward_code from dim_ward where is_current"))
    links = data.drop_duplicates("org_unit_name").set_index("org_unit_name")["url"]
    assert set(links.index) == {*codes, "Quận Hà Đông"}
    assert all(links[name] == f"phuong?ward={code}" for name, code in codes.items())
    assert spec["layer"][0]["encoding"]["href"]["field"] == "url"
    assert " ".join(spec["title"]["text"]).startswith("Phường so với chỉ tiêu")  # in lines that fit
    assert spec["layer"][0]["encoding"]["x"]["title"] == "Chỉ số"


def test_sorting_the_heatmap_by_an_indicator(page):
    page.run()
    page.selectbox(key="overview_sort").set_value("dtp_dropout").run()
    assert not page.exception
    spec, _ = heatmap(page)
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    assert order[:3] == ["Quận Hà Đông", "Văn Quán", "Mộ Lao"]  # the district first, then worst first
    page.selectbox(key="overview_sort").set_value("__name__").run()
    assert heatmap(page)[0]["layer"][0]["encoding"]["y"]["sort"][1] == "Biên Giang"


def test_english(page):
    page.session_state["lang"] = "en"
    page.run()
    assert not page.exception
    assert page.title[0].value == "Overview"
    assert page.caption[0].value.startswith("Data as of ")
    assert tile(page, "DTP1 to DTP3 dropout rate").value == "66,7%"


def test_empty_state_before_the_first_publish(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(tmp_path))
    app = sign_in(AppTest.from_file(PAGE, default_timeout=30)).run()
    assert not app.exception
    assert "Chưa có dữ liệu" in app.info[0].value


def _navigation_pages() -> list[Path]:
    text = (DASHBOARD / "app.py").read_text(encoding="utf-8")
    return [DASHBOARD / p for p in re.findall(r'"(views/[a-z_]+\.py)"', text)]


def test_the_overview_is_the_default_page_and_opens_a_ward(home):
    missing = [p.name for p in _navigation_pages() if not p.exists()]
    if missing:
        pytest.skip(f"navigation lists pages not written yet: {missing}")
    app = sign_in(AppTest.from_file(APP, default_timeout=60)).run()
    assert not app.exception
    assert app.title[0].value == "Tổng quan"
    # the ward picker under the heatmap opens the ward's page with ?ward=<code>
    app.selectbox(key="overview_open_ward").set_value("Mộ Lao").run()
    app.button(key="overview_open").click().run()
    assert not app.exception
    assert app.title[0].value == "Phường"
    code = mart(home, "select ward_code from dim_ward where is_current and ward_name = 'Mộ Lao'")[0][0]
    assert app.query_params["ward"] == code
    assert app.selectbox(key="ward_code").value == code
    app.sidebar.radio[0].set_value("en").run()
    assert app.title[0].value == "Ward"
