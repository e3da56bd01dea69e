"""Altair charts of the dashboard, with Vietnamese titles and axis labels."""

from __future__ import annotations

import altair as alt
import pandas as pd

# d3-format locale for Vietnamese: 1.234 and 45,6%.
VI_LOCALE = {"number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}}

# Blue and orange stay distinct for colour-blind readers and in greyscale (dark vs light).
STATUS_COLOURS = {
    "Đạt": "#1b4f9c",
    "Chưa đạt": "#f28e2b",
    "Cần kiểm tra": "#6b6b6b",
    "Chưa có số liệu": "#bdbdbd",
}


def vietnamese(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with Vietnamese number formats in axes and tooltips."""
    return chart.configure(locale=VI_LOCALE)


def status_label(meets_target: object, value: object = None) -> str:
    """Met, behind, no data; a negative dropout (more third doses than first) is a data question."""
    if meets_target is None or pd.isna(meets_target):
        return "Chưa có số liệu"
    if value is not None and not pd.isna(value) and value < 0:
        return "Cần kiểm tra"
    return "Đạt" if bool(meets_target) else "Chưa đạt"


def status_column(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [status_label(m, v) for m, v in zip(frame["meets_target"], frame["dropout"], strict=True)],
        index=frame.index,
        dtype="object",
    )


def doses_by_ward(frame: pd.DataFrame, title: str) -> alt.Chart:
    return (
        alt.Chart(frame, title=alt.Title(title, subtitle="Số mũi tiêm theo phường và loại vắc xin"))
        .mark_bar()
        .encode(
            y=alt.Y("ward_name:N", title="Phường", sort="-x"),
            x=alt.X("sum(doses):Q", title="Số mũi tiêm", axis=alt.Axis(format=",d")),
            color=alt.Color("vaccine:N", title="Vắc xin", scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                alt.Tooltip("ward_name:N", title="Phường"),
                alt.Tooltip("vaccine:N", title="Vắc xin"),
                alt.Tooltip("doses:Q", title="Số mũi", format=",d"),
            ],
        )
        .properties(height=alt.Step(22))
    )


def dropout_by_ward(frame: pd.DataFrame, target: float, title: str) -> alt.LayerChart:
    data = frame.assign(status=status_column(frame))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("org_unit_name:N", title="Phường", sort="-x"),
            x=alt.X("dropout:Q", title="Tỷ lệ bỏ cuộc DPT1→DPT3", axis=alt.Axis(format="%")),
            color=alt.Color(
                "status:N",
                title="Mục tiêu",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("org_unit_name:N", title="Phường"),
                alt.Tooltip("dtp1:Q", title="DPT1", format=",d"),
                alt.Tooltip("dtp3:Q", title="DPT3", format=",d"),
                alt.Tooltip("dropout:Q", title="Bỏ cuộc", format=".1%"),
                alt.Tooltip("status:N", title="Mục tiêu"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(strokeDash=[6, 4], color="#333")
        .encode(x="target:Q")
    )
    return (bars + rule).properties(
        title=alt.Title(title, subtitle=f"Vạch đứt: ngưỡng {target:.0%} (trên ngưỡng là dịch vụ yếu)"),
        height=alt.Step(22),
    )


def dropout_trend(frame: pd.DataFrame, target: float) -> alt.LayerChart:
    base = alt.Chart(frame).encode(
        x=alt.X("month:O", title="Lũy kế đến hết tháng"),
        y=alt.Y("dropout:Q", title="Tỷ lệ bỏ cuộc", axis=alt.Axis(format="%")),
    )
    wards = (
        base.transform_filter(alt.datum.org_unit_level == "ward")
        .mark_line(color="#c7c7c7", strokeWidth=1)
        .encode(
            detail="org_unit_name:N",
            tooltip=[
                alt.Tooltip("org_unit_name:N", title="Phường"),
                alt.Tooltip("dropout:Q", title="Bỏ cuộc", format=".1%"),
            ],
        )
    )
    district = base.transform_filter(alt.datum.org_unit_level == "district").mark_line(
        color="#1b4f9c", strokeWidth=3, point=True
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(strokeDash=[6, 4], color="#333")
        .encode(y="target:Q")
    )
    return (wards + district + rule).properties(
        title=alt.Title(
            "Bỏ cuộc DPT1→DPT3 lũy kế từ đầu năm",
            subtitle="Đường đậm: toàn quận; đường mờ: từng phường; vạch đứt: ngưỡng. "
            "Đầu năm có thể âm: mũi 3 tiêm cho trẻ đã tiêm mũi 1 năm trước.",
        ),
        height=280,
    )
