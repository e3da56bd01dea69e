"""Altair charts of the dashboard, with Vietnamese titles and axis labels."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from policy.status import STATUS_EN, indicator_status, missing

# d3-format locale for Vietnamese: 1.234 and 45,6%.
VI_LOCALE = {"number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}}

# The colour of each status of policy.status.indicator_status (the rule itself lives there, shared with
# the reports). Blue and orange stay distinct for colour-blind readers and in greyscale (dark vs light).
STATUS_COLOURS = {
    "Đạt": "#1b4f9c",
    "Gần đạt": "#f7dc6f",  # pale yellow: lighter than the orange and the greys in greyscale
    "Chưa đạt": "#f28e2b",
    "Cần kiểm tra": "#6b6b6b",
    "Chưa có số liệu": "#bdbdbd",
    "Không có chỉ tiêu": "#f0f0f0",  # indicators without a numeric target (e.g. 'rising')
    "Ẩn": "#d9d2e9",  # hidden from this role (small counts): a pale violet, not a grey of "no data"
}


# a chart's title and subtitle are drawn on one line each and cut at the chart's width ("…"): longer
# ones are broken into lines that fit a phone's width (about 330 px)
TITLE_CHARS, SUBTITLE_CHARS = 40, 55


def _lines(text: object, width: int) -> object:
    if isinstance(text, str) and len(text) > width:
        return textwrap.wrap(text, width)
    return text


def vietnamese(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with Vietnamese number formats in axes and tooltips, and its title and subtitle broken
    into lines that are never cut off."""
    return _wrapped_titles(chart).configure(locale=VI_LOCALE)


def _wrapped_titles(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    title = chart.title
    if isinstance(title, str):
        chart = chart.properties(title=alt.Title(_lines(title, TITLE_CHARS)))
    elif isinstance(title, alt.Title):
        title = title.copy()
        title.text = _lines(title.text, TITLE_CHARS)
        if isinstance(title.subtitle, str):
            title.subtitle = _lines(title.subtitle, SUBTITLE_CHARS)
        chart = chart.properties(title=title)
    if isinstance(chart, alt.LayerChart):  # a title may sit on a layer
        chart = chart.copy()
        chart.layer = [_wrapped_titles(layer) for layer in chart.layer]
    return chart


def frame_statuses(frame: pd.DataFrame) -> list[str]:
    """policy.status's judgement of each indicator row (value, target, target_comparison, direction, and
    value_mark where the frame has it: a figure hidden from the viewer reads 'Ẩn', never 'no data'; so
    does a count whose target, 90% of a hidden 2024 count, is hidden, never 'no target')."""
    marks = list(frame["value_mark"]) if "value_mark" in frame else [None] * len(frame)
    if "baseline_mark" in frame:
        marks = [
            b if not isinstance(m, str) and isinstance(b, str) and missing(tg) else m
            for m, b, tg in zip(marks, frame["baseline_mark"], frame["target"], strict=True)
        ]
    return [
        indicator_status(v, tg, c, d, m)
        for v, tg, c, d, m in zip(
            frame["value"],
            frame["target"],
            frame["target_comparison"],
            frame["direction"],
            marks,
            strict=True,
        )
    ]


def status_column(frame: pd.DataFrame) -> pd.Series:
    """policy.status's judgement of each row's dropout (the same as the overview's heatmap)."""
    return pd.Series(
        [indicator_status(r.dropout, r.target, r.target_comparison, r.direction) for r in frame.itertuples()],
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
                title="Đánh giá",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("org_unit_name:N", title="Phường"),
                alt.Tooltip("dtp1:Q", title="DPT1", format=",d"),
                alt.Tooltip("dtp3:Q", title="DPT3", format=",d"),
                alt.Tooltip("dropout:Q", title="Bỏ cuộc", format=".1%"),
                alt.Tooltip("status:N", title="Đánh giá"),
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
        x=alt.X("month:O", title="Lũy kế đến hết tháng", sort=list(dict.fromkeys(frame["month"]))),
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
            subtitle="Đường đậm: toàn quận; đường mờ: từng phường; vạch đứt: ngưỡng. Từ tháng 3: "
            "trước đó mũi 3 trong năm chủ yếu là của trẻ tiêm mũi 1 năm trước.",
        ),
        height=280,
    )


# --- overview and ward pages ---


def status_scale(english: bool = False) -> alt.Scale:
    """The status colour scale (Vietnamese or English labels, same colours)."""
    domain = [STATUS_EN[k] for k in STATUS_COLOURS] if english else list(STATUS_COLOURS)
    return alt.Scale(domain=domain, range=list(STATUS_COLOURS.values()))


# --- protection, quality and child lists ---


def indicator_by_ward(
    frame: pd.DataFrame, title: str, subtitle: str, x_title: str, percent: bool, english: bool = False
) -> alt.LayerChart:
    """One indicator per ward, bars coloured by status (column ``status``), with the target as a tick
    (a count target differs per ward, e.g. 90% of its 2024 deaths) or a dashed line (a share)."""
    fmt = ".1%" if percent else ",d"
    ward_title = "Ward" if english else "Phường"
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("org_unit_name:N", title=ward_title, sort="-x"),
            x=alt.X("value:Q", title=x_title, axis=alt.Axis(format="%" if percent else ",d")),
            color=alt.Color(
                "status:N", title="Status" if english else "Đánh giá", scale=status_scale(english)
            ),
            tooltip=[
                alt.Tooltip("org_unit_name:N", title=ward_title),
                alt.Tooltip("value:Q", title=x_title, format=fmt),
                alt.Tooltip("numerator:Q", title="Numerator" if english else "Tử số", format=",d"),
                alt.Tooltip("denominator:Q", title="Denominator" if english else "Mẫu số", format=",d"),
                alt.Tooltip(
                    "target:Q", title="Target" if english else "Chỉ tiêu", format=".1%" if percent else ",.1f"
                ),
                alt.Tooltip("status:N", title="Status" if english else "Đánh giá"),
            ],
        )
    )
    if percent:
        target = frame["target"].dropna()
        rule = (
            alt.Chart(pd.DataFrame({"target": [float(target.iloc[0]) if not target.empty else 1.0]}))
            .mark_rule(strokeDash=[6, 4], color="#333")
            .encode(x="target:Q")
        )
    else:
        rule = (
            alt.Chart(frame.dropna(subset=["target"]))
            .mark_tick(color="#333", thickness=2)
            .encode(y=alt.Y("org_unit_name:N", sort="-x"), x="target:Q")
        )
    return (bars + rule).properties(title=alt.Title(title, subtitle=subtitle), height=alt.Step(22))


def hcdb_groups(frame: pd.DataFrame, title: str, english: bool = False) -> alt.Chart:
    """HCĐB children per group (district totals), supported and not yet supported."""
    supported, waiting = ("Supported", "Not yet supported") if english else ("Đã hỗ trợ", "Chưa hỗ trợ")
    data = pd.concat(
        [
            frame.assign(kind=supported, n=frame["children_supported"]),
            frame.assign(kind=waiting, n=frame["children"] - frame["children_supported"]),
        ]
    )
    return (
        alt.Chart(
            data,
            title=alt.Title(
                title,
                subtitle="Group letters: Luật Trẻ em 2016, art. 10"
                if english
                else "Nhóm theo Điều 10 Luật Trẻ em 2016; một trẻ có thể thuộc nhiều nhóm",
            ),
        )
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title="Group" if english else "Nhóm", sort=alt.SortField("group_sort_order")),
            x=alt.X("sum(n):Q", title="Children" if english else "Số trẻ", axis=alt.Axis(format=",d")),
            color=alt.Color(
                "kind:N",
                title="",
                scale=alt.Scale(domain=[supported, waiting], range=["#1b4f9c", "#f28e2b"]),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Group" if english else "Nhóm"),
                alt.Tooltip("kind:N", title=""),
                alt.Tooltip("sum(n):Q", title="Children" if english else "Số trẻ", format=",d"),
            ],
        )
        .properties(height=alt.Step(22))
    )


SUBMISSION_STATUS = {
    "on_time": ("Đúng hạn", "On time", "#1b4f9c"),
    "late": ("Muộn", "Late", "#f28e2b"),
    "missing": ("Chưa nhận", "Missing", "#6b6b6b"),
    "pending": ("Chưa đến hạn", "Not yet due", "#e0e0e0"),
}


def submissions_heatmap(frame: pd.DataFrame, title: str, english: bool = False) -> alt.Chart:
    """Ward × source, each cell coloured by the extract's status (``status_label`` column)."""
    labels = [v[1] if english else v[0] for v in SUBMISSION_STATUS.values()]
    base = alt.Chart(
        frame,
        title=alt.Title(
            title,
            subtitle="On time, late, missing or not yet due"
            if english
            else "Đúng hạn, muộn, chưa nhận hoặc chưa đến hạn",
        ),
    )
    # sources down the side, in full (a slanted label across the top was cut), wards across the top
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        y=alt.Y("source_name:N", title=None, axis=alt.Axis(labelLimit=0)),
        x=alt.X(
            "org_unit_name:N",
            title="Ward" if english else "Phường",
            axis=alt.Axis(orient="top", labelAngle=-45, labelLimit=0, labelOverlap=False),
        ),
        color=alt.Color(
            "status_label:N",
            title="Status" if english else "Trạng thái",
            scale=alt.Scale(domain=labels, range=[v[2] for v in SUBMISSION_STATUS.values()]),
        ),
        tooltip=[
            alt.Tooltip("org_unit_name:N", title="Ward" if english else "Phường"),
            alt.Tooltip("source_name:N", title="Source" if english else "Nguồn"),
            alt.Tooltip("period_key:N", title="Period" if english else "Kỳ"),
            alt.Tooltip("status_label:N", title="Status" if english else "Trạng thái"),
        ],
    )
    # the days late written in late cells, so the grid reads without colour too
    text = (
        base.transform_filter(alt.datum.days_late > 0)
        .mark_text(fontSize=10)
        .encode(y="source_name:N", x="org_unit_name:N", text=alt.Text("days_late:Q", format="d"))
    )
    return (cells + text).properties(height=alt.Step(22), width=alt.Step(22))


def status_text(status: str) -> str:
    """The status key in the chosen language."""
    from dashboard.i18n import lang

    return STATUS_EN.get(status, status) if lang() == "en" else status


# --- health and registration pages ---


def ward_indicator_bars(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    x_title: str,
    target: float | None,
    english: bool = False,
) -> alt.Chart | alt.LayerChart:
    """One percent indicator per ward: a bar per ward coloured by `status` (indicator_status
    labels; English labels when `english`), a dashed rule at the target when there is one.
    `frame`: org_unit_name, value, status, numerator, denominator."""
    ward, status, numerator, denominator = (
        ("Ward", "Status", "Numerator", "Denominator")
        if english
        else ("Phường", "Đánh giá", "Tử số", "Mẫu số")
    )
    data = frame.assign(status=frame["status"].map(STATUS_EN) if english else frame["status"])
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("org_unit_name:N", title=ward, sort="-x"),
            x=alt.X("value:Q", title=x_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("status:N", title=status, scale=status_scale(english)),
            tooltip=[
                alt.Tooltip("org_unit_name:N", title=ward),
                alt.Tooltip("value:Q", title=x_title, format=".1%"),
                alt.Tooltip("numerator:Q", title=numerator, format=",d"),
                alt.Tooltip("denominator:Q", title=denominator, format=",d"),
                alt.Tooltip("status:N", title=status),
            ],
        )
    )
    chart = with_target_rule(bars, target)
    return chart.properties(title=alt.Title(title, subtitle=subtitle), height=alt.Step(22))


def doses_by_vaccine_dose(
    frame: pd.DataFrame, *, title: str, subtitle: str, english: bool = False
) -> alt.Chart:
    """District doses per vaccine and dose, in schedule order. `frame`: label, doses, order."""
    label, doses = ("Vaccine and dose", "Doses") if english else ("Vắc xin và mũi", "Số mũi tiêm")
    order = list(frame.sort_values("order")["label"])
    return (
        alt.Chart(frame, title=alt.Title(title, subtitle=subtitle))
        .mark_bar(color="#1b4f9c")
        .encode(
            y=alt.Y("label:N", title=label, sort=order),
            x=alt.X("doses:Q", title=doses, axis=alt.Axis(format=",d", tickMinStep=1)),
            tooltip=[alt.Tooltip("label:N", title=label), alt.Tooltip("doses:Q", title=doses, format=",d")],
        )
        .properties(height=alt.Step(22))
    )


def immunisation_monitoring(
    frame: pd.DataFrame, *, title: str, subtitle: str, english: bool = False
) -> alt.Chart:
    """WHO-style monitoring chart: cumulative doses by month against the monthly target line.
    `frame` (long): month (1–12), series, doses. Series are told apart by dash as well as colour."""
    month, doses, series = (
        ("Month", "Cumulative doses", "Series") if english else ("Tháng", "Số mũi cộng dồn", "Đường")
    )
    names = list(dict.fromkeys(frame["series"]))
    colours = ["#1b4f9c", "#f28e2b", "#6b6b6b"][: len(names)]
    dashes = [[1, 0], [1, 0], [6, 4]][: len(names)]
    return (
        alt.Chart(frame, title=alt.Title(title, subtitle=subtitle))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title=month, scale=alt.Scale(domain=list(range(1, 13)))),
            y=alt.Y("doses:Q", title=doses, axis=alt.Axis(format=",d", tickMinStep=1)),
            color=alt.Color("series:N", title=series, scale=alt.Scale(domain=names, range=colours)),
            strokeDash=alt.StrokeDash("series:N", title=series, scale=alt.Scale(domain=names, range=dashes)),
            shape=alt.Shape("series:N", title=series, scale=alt.Scale(domain=names)),
            tooltip=[
                alt.Tooltip("series:N", title=series),
                alt.Tooltip("month:O", title=month),
                alt.Tooltip("doses:Q", title=doses, format=",.0f"),
            ],
        )
        .properties(height=300)
    )


def vitamin_a_by_ward(
    frame: pd.DataFrame, *, title: str, subtitle: str, target: float | None, english: bool = False
) -> alt.Chart | alt.LayerChart:
    """Vitamin A coverage per ward, one bar per round side by side. `frame`: org_unit_name, round,
    value, numerator, denominator, status."""
    ward, round_, coverage, status = (
        ("Ward", "Round", "Coverage", "Status") if english else ("Phường", "Đợt", "Tỷ lệ uống", "Đánh giá")
    )
    data = frame.assign(status=frame["status"].map(STATUS_EN) if english else frame["status"])
    rounds = list(dict.fromkeys(data["round"]))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("org_unit_name:N", title=ward),
            yOffset=alt.YOffset("round:N", sort=rounds),
            x=alt.X("value:Q", title=coverage, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "round:N",
                title=round_,
                sort=rounds,
                scale=alt.Scale(
                    domain=rounds, range=["#1b4f9c", "#9ecae1", "#f28e2b", "#fdd0a2"][: len(rounds)]
                ),
            ),
            tooltip=[
                alt.Tooltip("org_unit_name:N", title=ward),
                alt.Tooltip("round:N", title=round_),
                alt.Tooltip("value:Q", title=coverage, format=".1%"),
                alt.Tooltip("numerator:Q", format=",d"),
                alt.Tooltip("denominator:Q", format=",d"),
                alt.Tooltip("status:N", title=status),
            ],
        )
    )
    chart = with_target_rule(bars, target)
    return chart.properties(title=alt.Title(title, subtitle=subtitle), height=alt.Step(14))


def with_target_rule(bars: alt.Chart, target: object) -> alt.Chart | alt.LayerChart:
    """Horizontal bars with the target drawn as a dashed vertical rule (none when there is no target)."""
    if missing(target):
        return bars
    rule = (
        alt.Chart(pd.DataFrame({"target": [float(target)]}))
        .mark_rule(strokeDash=[6, 4], color="#333")
        .encode(x="target:Q")
    )
    return bars + rule
