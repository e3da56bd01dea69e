"""Phường: one ward's scorecard, every indicator against target, rank, trend, reporting and data quality."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import charts, criteria, downloads, formatting, page
from dashboard.auth import current_viewer
from dashboard.i18n import lang, t
from dashboard.queries import child_friendly, indicators, serving
from dashboard.queries import quality as quality_queries

EN = lang() == "en"
value_text = formatting.indicator_value
target_text = formatting.indicator_target
status_text = charts.status_text
CHILD_FRIENDLY = "child_friendly_ward"  # per ward a standing (met or not, with its score): no rank, no %

meta = page.header("Phường", "Ward")

wards = serving.current_wards()
if wards.empty:
    st.info(t("Chưa có danh mục phường trong bản phục vụ.", "The serving copy has no ward list yet."))
    st.stop()
names = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))
codes = list(names)
asked = st.query_params.get("ward")
ward_code = st.selectbox(
    t("Phường", "Ward"),
    codes,
    index=codes.index(asked) if asked in names else 0,
    format_func=names.get,
    key="ward_code",
)
if st.query_params.get("ward") != ward_code:
    st.query_params["ward"] = ward_code
ward_name = names[ward_code]

periods = indicators.indicator_periods()
# the year to date by month, then the plan's indicator report periods (as the ward's report prints them)
if not periods.empty:
    reports = (periods["period_type"] == "report") & (periods["report_kind"] != "work_results")
    ytd = pd.concat([periods[periods["period_type"] == "ytd"], periods[reports]], ignore_index=True)
else:
    ytd = periods
if ytd.empty:
    st.info(
        t(
            "Chưa có chỉ số nào tính được: các tệp đã nạp chưa đủ cho kỳ nào.",
            "No indicator can be computed yet: the loaded files do not cover any period.",
        )
    )
    st.stop()
complete = ytd.index[ytd["complete"].fillna(False).astype(bool)]
labels = dict(zip(ytd["period_key"], ytd["label_en" if EN else "label_vi"], strict=True))
period_key = st.selectbox(
    t("Kỳ (lũy kế từ đầu năm, hoặc kỳ báo cáo)", "Period (year to date, or a report period)"),
    list(ytd["period_key"]),
    index=int(complete[0]) if len(complete) else 0,
    format_func=labels.get,
    key="ward_period",
)
year = int(ytd.loc[ytd["period_key"] == period_key, "period_end"].iloc[0].year)
name_col = "name_en" if EN else "name_vi"

frame = indicators.indicators_for_period(period_key)
frame = frame.assign(status=charts.frame_statuses(frame))
mine = frame[(frame["org_unit_level"] == "ward") & (frame["org_unit_code"] == ward_code)]
district = frame[frame["org_unit_level"] == "district"].set_index("indicator_code")
standings = child_friendly.standings(period_key).set_index("ward_code")

st.subheader(f"{ward_name} – {labels[period_key]}")
if mine.empty:
    st.info(t("Chưa có số liệu của phường cho kỳ này.", "No figures for this ward in this period yet."))
else:
    scorecard = pd.DataFrame(
        {
            t("Chỉ số", "Indicator"): mine[name_col].to_numpy(),
            t("Giá trị", "Value"): [
                standings.at[ward_code, "standing_detail"]
                if c == CHILD_FRIENDLY and ward_code in standings.index
                else value_text(v, u, h)
                for c, v, u, h in zip(
                    mine["indicator_code"], mine["value"], mine["unit"], mine["value_mark"], strict=True
                )
            ],
            t("Chỉ tiêu", "Target"): [
                target_text(tg, c, u)
                for tg, c, u in zip(mine["target"], mine["target_comparison"], mine["unit"], strict=True)
            ],
            t("Đánh giá", "Status"): mine["status"].map(status_text).to_numpy(),
            t("Xếp hạng", "Rank"): [
                f"{int(r)}/{int(n)}" if not pd.isna(r) else "–"
                for r, n in zip(mine["ward_rank"], mine["wards_ranked"], strict=True)
            ],
            t("Toàn quận", "District"): [
                value_text(district["value"].get(c), u, district["value_mark"].get(c))
                for c, u in zip(mine["indicator_code"], mine["unit"], strict=True)
            ],
        }
    )
    st.dataframe(
        scorecard,
        hide_index=True,
        width="stretch",
        height="content",
        # wide enough for the child-friendly standing ("Đạt · 935/1.000 điểm, 13/13 tiêu chí")
        column_config={
            t("Giá trị", "Value"): st.column_config.TextColumn(width=240),
            t("Đánh giá", "Status"): st.column_config.TextColumn(width=130),  # "Không có chỉ tiêu"
        },
    )
    st.caption(
        t(
            "Xếp hạng trong các phường của quận: 1 là tốt nhất (chỉ số càng thấp càng tốt thì xếp ngược "
            "lại); phường chưa có số liệu, số liệu bị ẩn hoặc âm (cần kiểm tra) không được xếp. "
            "Phường phù hợp với trẻ em: phường đạt hay chưa đạt chuẩn "
            "theo bản tự đánh giá mới nhất (điểm trên 1.000, số tiêu chí đạt), không xếp hạng.",
            "Rank among the district's wards: 1 is best (direction-aware); wards without a figure, with "
            "a hidden or a negative one (to be checked) are not ranked. "
            "Child-friendly ward: whether the ward meets the standard by its latest self-assessment "
            "(points out of 1.000, criteria met), not ranked.",
        )
    )
    downloads.download(
        mine.drop(columns=["definition_vi", "definition_en"]),
        f"phuong-{ward_code}-{period_key}.csv",
        "ward_csv",
    )

# --- the child-friendly self-assessment against the data ---
st.subheader(
    t("Phường phù hợp với trẻ em: tự đánh giá và số liệu", "Child-friendly ward: self-assessment and data")
)
checks = child_friendly.cross_check(year, ward_code)
if not child_friendly.available():
    criteria.not_in_this_copy()
elif checks.empty:
    st.info(
        t(
            f"Phường chưa gửi bản tự đánh giá của năm {year} hoặc trước đó.",
            f"The ward has sent no self-assessment of {year} or before.",
        )
    )
else:
    assessed = int(checks["assessment_year"].iloc[0])
    own = standings.loc[ward_code]
    by_self = (
        t("đạt chuẩn", "meets the standard") if own["meets_standard"] else t("chưa đạt", "does not meet it")
    )
    if not own["year_complete"]:
        on_data = t("chưa đủ số liệu cả năm để đối chiếu", "the year's figures are not complete")
    elif own["meets_standard_on_data"] is None:
        on_data = t("chưa kết luận được (số nhỏ được ẩn)", "cannot be told (small counts are hidden)")
    else:
        on_data = (
            t("đạt chuẩn", "meets it") if own["meets_standard_on_data"] else t("chưa đạt", "does not meet it")
        )
    line = t(
        f"Tự đánh giá năm {assessed}: {by_self}; theo số liệu trong kho: {on_data}. "
        f"{int(own['criteria_disagreeing'])} tiêu chí có điểm tự chấm khác số liệu.",
        f"Self-assessment of {assessed}: {by_self}; on the warehouse's data: {on_data}. "
        f"{int(own['criteria_disagreeing'])} criteria scored differently from the data.",
    )
    (st.warning if own["contradicted"] == True else st.write)(line)  # noqa: E712 (None: untold)
    criteria.show(checks)
    viewer = current_viewer()
    criteria.legend(viewer is not None and not viewer.sees_small_counts)

# --- trends ---
st.subheader(t("Diễn biến trong năm", "Through the year") + f" {year}")
trend = indicators.ward_year_trend(ward_code, year)
catalogue = indicators.indicator_catalogue().set_index("indicator_code")
if trend.empty or trend["value"].notna().sum() == 0:
    st.info(
        t(
            "Chưa có số liệu lũy kế theo tháng cho năm này.",
            "No monthly year-to-date figures for this year yet.",
        )
    )
else:
    shown = [c for c in catalogue.index if trend.loc[trend["indicator_code"] == c, "value"].notna().any()]
    columns = st.columns(2)
    for i, code in enumerate(shown):
        row = catalogue.loc[code]
        data = trend[trend["indicator_code"] == code].assign(
            who=lambda d: d["org_unit_level"].map({"ward": ward_name, "district": t("Toàn quận", "District")})
        )
        who = [ward_name, t("Toàn quận", "District")]
        colours, dashes = ["#1b4f9c", "#9a9a9a"], [[1, 0], [5, 3]]
        if code == CHILD_FRIENDLY:  # a ward meets the standard or not (the scorecard): the district's share
            data = data[data["org_unit_level"] == "district"]
            who, colours, dashes = who[1:], colours[1:], dashes[1:]
        is_count = row["unit"] == "count"
        y_format = ",d" if is_count else "%"
        lines = (
            alt.Chart(data)
            .mark_line(point=True)
            .encode(
                x=alt.X(
                    "month:O",
                    title=t("Lũy kế đến hết tháng", "Year to date to the end of"),
                    sort=list(dict.fromkeys(data.sort_values("period_end")["month"])),
                ),
                y=alt.Y("value:Q", title=t("Giá trị", "Value"), axis=alt.Axis(format=y_format)),
                color=alt.Color(
                    "who:N",
                    title=None,
                    scale=alt.Scale(domain=who, range=colours),
                ),
                strokeDash=alt.StrokeDash(
                    "who:N",
                    legend=None,
                    scale=alt.Scale(domain=who, range=dashes),
                ),
                tooltip=[
                    alt.Tooltip("who:N", title=t("Đơn vị", "Unit")),
                    alt.Tooltip("month:O", title=t("Tháng", "Month")),
                    alt.Tooltip("value:Q", title=t("Giá trị", "Value"), format=",.1f" if is_count else ".1%"),
                ],
            )
        )
        layers = lines
        if not is_count and not pd.isna(row["target"]):
            rule = (
                alt.Chart(pd.DataFrame({"target": [float(row["target"])]}))
                .mark_rule(strokeDash=[2, 2], color="#333")
                .encode(y="target:Q")
            )
            layers = lines + rule
        chart = layers.properties(title=row["name_en"] if EN else row["name_vi"], height=220)
        with columns[i % 2]:
            st.altair_chart(charts.vietnamese(chart), width="stretch")
            # the definition in full, as text that wraps (a chart's subtitle would be cut at its width)
            st.caption(row["definition_en"] if EN else row["definition_vi"])

# --- reporting record ---
st.subheader(t("Báo cáo của phường", "The ward's reporting") + f" {year}")
record = quality_queries.ward_submissions(ward_code, year)
if record.empty:
    st.info(
        t("Phường chưa phải gửi tệp dữ liệu nào trong năm này.", "The ward owed no data files this year.")
    )
else:
    shown_record = record.drop(columns=["source"]).rename(
        columns={
            "source_name": t("Nguồn", "Source"),
            "owed": t("Phải gửi", "Owed"),
            "received": t("Đã nhận", "Received"),
            "on_time": t("Đúng hạn", "On time"),
            "late": t("Muộn", "Late"),
            "missing": t("Quá hạn chưa gửi", "Overdue, missing"),
            "max_days_late": t("Muộn nhất (ngày)", "Most days late"),
        }
    )
    st.dataframe(shown_record, hide_index=True, width="stretch")
    downloads.download(record, f"bao-cao-phuong-{ward_code}-{year}.csv", "ward_submissions_csv")

# --- data quality ---
st.subheader(t("Chất lượng dữ liệu", "Data quality"))
quality = quality_queries.ward_quality(ward_code)
if quality.empty:
    st.info(t("Chưa có tệp nào của phường được nạp.", "No file of this ward has been loaded yet."))
else:
    text_columns = ["latest_file_name", "latest_file_outcome", "latest_file_reason"]
    shown_quality = (
        quality.assign(
            **{c: quality[c].fillna("–") for c in text_columns},
            rejected_share=quality["rejected_share"].map(formatting.percent),
            latest_file_submitted_at=quality["latest_file_submitted_at"].map(
                lambda v: formatting.datetime(None if pd.isna(v) else v)
            ),
        )
        .drop(columns=["source"])
        .rename(
            columns={
                "source_name": t("Nguồn", "Source"),
                "files_loaded": t("Tệp đã nạp", "Files loaded"),
                "files_quarantined": t("Tệp cách ly", "Files quarantined"),
                "rows_loaded": t("Dòng đã nạp", "Rows loaded"),
                "rows_rejected": t("Dòng bị loại", "Rows rejected"),
                "rejected_share": t("Tỷ lệ loại", "Rejected share"),
                "open_violations": t("Lỗi chưa xử lý", "Open violations"),
                "outliers": t("Giá trị bất thường", "Outliers"),
                "latest_file_name": t("Tệp gần nhất", "Latest file"),
                "latest_file_submitted_at": t("Gửi lúc", "Submitted at"),
                "latest_file_outcome": t("Kết quả", "Outcome"),
                "latest_file_reason": t("Lý do", "Reason"),
            }
        )
    )
    st.dataframe(shown_quality, hide_index=True, width="stretch", height="content")
    downloads.download(quality, f"chat-luong-phuong-{ward_code}.csv", "ward_quality_csv")
