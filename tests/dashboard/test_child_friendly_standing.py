"""A ward's child-friendly standing (child_friendly_ward): per ward 'Đạt' / 'Chưa đạt' / 'Chưa tự đánh
giá' with its score, never 0% or 100% and never a rank; the district keeps its share of wards.

A copy of the fixture pipeline's serving copy (immunisation files only) gets hand-made self-assessments
for YTD-2025-03 and the indicator's figures that go with them: Mộ Lao 2025, all 13 criteria met, 935
points (meets); Văn Quán 2025, 920 points but one criterion at 0 points, 12 of 13 met (does not meet);
Vạn Phúc only 2024, 13/13 and 940 points (meets, its latest assessment of a year up to 2025); the 12
other wards none (not self-assessed, counted as not meeting). The district: 2 of 15 wards, 13,3%."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from access.roles import Role, Viewer
from base.home import Home
from dashboard import scope
from tests.dashboard.session import sign_in

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
OVERVIEW = str(DASHBOARD / "views" / "overview.py")
WARD = str(DASHBOARD / "views" / "ward.py")
PERIOD = "YTD-2025-03"
NAME = "Tỷ lệ phường đạt chuẩn phù hợp với trẻ em"
MO_LAO, VAN_QUAN, VAN_PHUC, HA_CAU = "09541", "09542", "09544", "09556"
# ward, year, total points, max points, criteria assessed, criteria met, required, meets the standard
ASSESSMENTS = [
    (MO_LAO, 2025, 935, 1000, 13, 13, 13, True),
    (VAN_QUAN, 2025, 920, 1000, 13, 12, 13, False),
    (VAN_PHUC, 2024, 940, 1000, 13, 13, 13, True),
]
MO_LAO_TEXT = "Đạt · 935/1.000 điểm, 13/13 tiêu chí"
VAN_QUAN_TEXT = "Chưa đạt · 920/1.000 điểm, 12/13 tiêu chí"
VAN_PHUC_TEXT = "Đạt · 940/1.000 điểm, 13/13 tiêu chí (tự đánh giá năm 2024)"


@pytest.fixture(scope="module")
def standing_home(fixture_home, tmp_path_factory) -> Home:
    source = fixture_home
    home = Home(tmp_path_factory.mktemp("child-friendly-home"))
    home.ensure()
    shutil.copy2(source.serving, home.serving)
    if source.serving_restricted.exists():
        shutil.copy2(source.serving_restricted, home.serving_restricted)
    con = duckdb.connect(str(home.serving))
    try:
        con.executemany("insert into agg_child_friendly_wards values (?, ?, ?, ?, ?, ?, ?, ?)", ASSESSMENTS)
        # the indicator's figures of the period, as the pipeline would count them from these assessments
        con.execute(
            """
            update fct_ward_indicators
            set numerator = case when org_unit_code in (?, ?) then 1 else 0 end, denominator = 1,
                value = case when org_unit_code in (?, ?) then 1.0 else 0.0 end,
                meets_target = org_unit_code in (?, ?), member_rows = 1
            where indicator_code = 'child_friendly_ward' and period_key = ? and org_unit_level = 'ward'
            """,
            [MO_LAO, VAN_PHUC] * 3 + [PERIOD],
        )
        con.execute(
            """
            update fct_ward_indicators
            set numerator = 2, denominator = 15, value = 2 / 15, meets_target = false, member_rows = 15
            where indicator_code = 'child_friendly_ward' and period_key = ? and org_unit_level = 'district'
            """,
            [PERIOD],
        )
    finally:
        con.close()
    return home


@pytest.fixture
def home(standing_home, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(standing_home.root))
    return standing_home


def _heatmap(app):
    chart = app.get("vega_lite_chart")[0].proto
    return json.loads(chart.spec), dataframe_util.convert_arrow_bytes_to_pandas_df(
        chart.datasets[0].data.data
    )


def test_the_overview_table_shows_each_wards_standing_and_the_districts_share(home):
    page = sign_in(AppTest.from_file(OVERVIEW, default_timeout=60)).run()
    assert not page.exception
    assert page.selectbox[1].value == PERIOD
    table = page.dataframe[0].value.set_index("Phường")[NAME]
    assert table["Mộ Lao"] == MO_LAO_TEXT
    assert table["Văn Quán"] == VAN_QUAN_TEXT
    assert table["Vạn Phúc"] == VAN_PHUC_TEXT
    assert table["Hà Cầu"] == "Chưa tự đánh giá"
    assert table["Quận Hà Đông"] == "13,3%"  # 2 of 15 wards
    wards = table.drop("Quận Hà Đông")
    assert len(wards) == 15 and not any(v.endswith("%") for v in wards)


def test_the_heatmap_cell_and_tooltip_say_the_standing(home):
    page = sign_in(AppTest.from_file(OVERVIEW, default_timeout=60)).run()
    spec, data = _heatmap(page)
    cells = data[data["indicator_code"] == "child_friendly_ward"].set_index("org_unit_name")
    assert cells.loc["Mộ Lao", "value_label"] == "Đạt"
    assert cells.loc["Mộ Lao", "value_detail"] == MO_LAO_TEXT
    assert cells.loc["Văn Quán", "value_label"] == "Chưa đạt"
    assert cells.loc["Văn Quán", "value_detail"] == VAN_QUAN_TEXT
    assert cells.loc["Hà Cầu", "value_label"] == cells.loc["Hà Cầu", "value_detail"] == "Chưa tự đánh giá"
    assert cells.loc["Quận Hà Đông", "value_label"] == cells.loc["Quận Hà Đông", "value_detail"] == "13,3%"
    # other indicators' cells are unchanged: the tooltip's value is the cell's
    dropout = data[data["indicator_code"] == "dtp_dropout"].set_index("org_unit_name")
    assert dropout.loc["Mộ Lao", "value_label"] == dropout.loc["Mộ Lao", "value_detail"] == "50,0%"
    tooltip = {t["title"]: t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]}
    assert tooltip["Giá trị"] == "value_detail"


def test_needs_attention_says_the_standing_not_zero_percent(home):
    page = sign_in(AppTest.from_file(OVERVIEW, default_timeout=60)).run()
    attention = page.dataframe[1].value
    behind = attention[attention["Chỉ số"] == NAME]
    assert len(behind) == 3  # 13 wards do not meet the standard: the first three by name
    assert list(behind["Phường"]) == ["Biên Giang", "Dương Nội", "Hà Cầu"]
    assert set(behind["Giá trị"]) == {"Chưa tự đánh giá"}


def _scorecard_row(app):
    table = app.dataframe[0].value
    return table[table.iloc[:, 0] == NAME].iloc[0]


@pytest.mark.parametrize(
    ("code", "value", "status"),
    [
        (MO_LAO, MO_LAO_TEXT, "Đạt"),
        (VAN_QUAN, VAN_QUAN_TEXT, "Chưa đạt"),
        (HA_CAU, "Chưa tự đánh giá", "Chưa đạt"),
    ],
)
def test_the_ward_scorecard_shows_the_standing_and_no_rank(home, code, value, status):
    page = sign_in(AppTest.from_file(WARD, default_timeout=60))
    page.query_params["ward"] = code
    page.run()
    assert not page.exception
    assert page.selectbox(key="ward_period").value == PERIOD
    row = _scorecard_row(page)
    assert row["Giá trị"] == value
    assert row["Đánh giá"] == status
    assert row["Xếp hạng"] == "–"
    assert row["Toàn quận"] == "13,3%"
    # the dropout row keeps its rank (Mộ Lao 1/2 of the fixture's two wards with DTP doses)
    if code == MO_LAO:
        table = page.dataframe[0].value
        assert table[table.iloc[:, 0] == "Tỷ lệ bỏ cuộc DPT1→DPT3"].iloc[0]["Xếp hạng"] == "1/2"


def test_the_ward_scorecard_in_english(home):
    page = sign_in(AppTest.from_file(WARD, default_timeout=60))
    page.session_state["lang"] = "en"
    page.query_params["ward"] = MO_LAO
    page.run()
    assert not page.exception
    table = page.dataframe[0].value
    row = table[table.iloc[:, 0] == "Wards meeting the child-friendly standard"].iloc[0]
    assert row["Value"] == "Meets · 935/1.000 points, 13/13 criteria"
    assert row["Rank"] == "–"


def test_a_ward_officer_reads_only_their_wards_assessments(home):
    officer = Viewer("lan", "Lan", Role.WARD_OFFICER, MO_LAO)
    con = scope.connect(home.serving, os.stat(home.serving).st_mtime, officer)
    try:
        rows = con.execute("select ward_code, total_points from agg_child_friendly_wards").fetchall()
    finally:
        con.close()
    assert rows == [(MO_LAO, 935)]
    page = sign_in(AppTest.from_file(WARD, default_timeout=60), "ward_officer", MO_LAO).run()
    assert not page.exception
    assert _scorecard_row(page)["Giá trị"] == MO_LAO_TEXT
