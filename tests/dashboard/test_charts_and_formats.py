"""How figures and chart titles are written: worked out by hand, no serving copy needed."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard import charts, formatting

NAME = "Tỷ lệ trẻ em có hoàn cảnh đặc biệt được hỗ trợ"  # 46 characters
DEFINITION = (
    "Trẻ trong sổ theo dõi mới nhất của phường (lập đến ngày cuối kỳ) thuộc ít nhất một nhóm HCĐB; "
    "tử số: trẻ có ít nhất một lượt hỗ trợ"
)


def test_indicator_values_in_vietnamese_formats():
    assert formatting.indicator_value(0.9063, "percent") == "90,6%"
    assert formatting.indicator_value(12369, "count") == "12.369"
    assert formatting.indicator_value(None, "percent") == "–"
    assert formatting.indicator_value(None, "percent", "hidden") == "ẩn"
    assert formatting.indicator_value(None, "count", "<5") == "<5"
    # a negative dropout is a data question ("Cần kiểm tra"), printed as the reports print it
    assert formatting.indicator_value(-0.2857, "percent") == "–"
    assert formatting.indicator_value(0.0, "percent") == "0,0%"


def test_chart_titles_are_broken_into_lines_never_cut():
    point = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q")
    spec = charts.vietnamese(point.properties(title=alt.Title(NAME, subtitle=DEFINITION))).to_dict()
    text, subtitle = spec["title"]["text"], spec["title"]["subtitle"]
    assert text == ["Tỷ lệ trẻ em có hoàn cảnh đặc biệt được", "hỗ trợ"]
    assert all(len(line) <= charts.SUBTITLE_CHARS for line in subtitle)
    assert " ".join(subtitle) == DEFINITION  # every word kept, none cut
    assert spec["config"]["locale"] == charts.VI_LOCALE
    # a title on a layer is broken too; a short one stays a single string
    rule = alt.Chart(pd.DataFrame({"a": [1]})).mark_rule().encode(x="a:Q")
    layered = charts.vietnamese(point.properties(title=NAME) + rule).to_dict()
    assert layered["layer"][0]["title"]["text"] == text
    assert charts.vietnamese(point.properties(title="Mũi tiêm")).to_dict()["title"] == {"text": "Mũi tiêm"}


def test_a_count_whose_target_is_hidden_reads_hidden_not_without_target():
    frame = pd.DataFrame(
        {
            "value": [0.0, 3.0, None],
            "target": [None, 1.8, None],
            "target_comparison": ["at_most_share_of_baseline"] * 3,
            "direction": ["lower_is_better"] * 3,
            "value_mark": [None, None, "<5"],
            "baseline_mark": ["<5", None, "<5"],
        }
    )
    # 0 deaths against a hidden 90% of 2024; 3 against 1,8 (more than 10% over); a hidden count
    assert charts.frame_statuses(frame) == ["Ẩn", "Chưa đạt", "Ẩn"]


def test_period_labels_of_the_sector_pages():
    import datetime as dt

    def label(kind, key, start, end, vi=None, en=None):
        return formatting.period_label((kind, key, dt.date(*start), dt.date(*end), vi, en))

    assert label("year", "2025", (2025, 1, 1), (2025, 12, 31)) == "Cả năm 2025"
    assert (
        label("report", "2025-BCT-N", (2025, 1, 1), (2025, 10, 31), "Báo cáo Bộ chỉ tiêu trẻ em năm 2025")
        == "Báo cáo Bộ chỉ tiêu trẻ em năm 2025 (01/01–31/10/2025)"
    )
    assert label("ytd", "YTD-2025-10", (2025, 1, 1), (2025, 10, 31)) == "Từ đầu năm đến tháng 10/2025"
    assert label("half_year", "2025-H2", (2025, 7, 1), (2025, 12, 31)) == "6 tháng cuối năm 2025"
    assert label("quarter", "2025-Q2", (2025, 4, 1), (2025, 6, 30)) == "Quý 2/2025"
    assert label("month", "2025-03", (2025, 3, 1), (2025, 3, 31)) == "Tháng 03/2025"
