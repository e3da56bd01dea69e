"""Tổng quan: every indicator of the plan for the district and its 15 wards, for one period."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import charts, downloads, formatting, page
from dashboard.i18n import lang, t
from dashboard.queries import child_friendly, indicators

PERIOD_TYPES = {
    "month": ("Tháng", "Month"),
    "quarter": ("Quý", "Quarter"),
    "half_year": ("6 tháng", "Half-year"),
    "ytd": ("Lũy kế từ đầu năm", "Year to date"),
    "year": ("Năm", "Year"),
    "report": ("Kỳ báo cáo", "Report period"),
}
EN = lang() == "en"
value_text = formatting.indicator_value
target_text = formatting.indicator_target
status_text = charts.status_text
CHILD_FRIENDLY = "child_friendly_ward"  # per ward a standing (met or not, with its score), not 0% / 100%


def delta_text(value: object, previous: object, unit: object) -> str | None:
    """The change from the previous period as shown ('+3', '−1,2 điểm %'); 'không đổi' when it rounds
    to zero (the tile then shows no arrow)."""
    if value is None or previous is None or pd.isna(value) or pd.isna(previous):
        return None
    change = round(float(value) - float(previous), 0 if unit == "count" else 3)
    if change == 0:
        return t("không đổi", "no change")
    if unit == "count":
        return f"{change:+.0f}"
    return f"{change * 100:+.1f}".replace(".", ",") + t(" điểm %", " pts")


def shortfall(row: pd.Series) -> float:
    """How far behind target, comparable across indicators: percentage points, or share of a count target."""
    if row["value"] is None or pd.isna(row["value"]) or pd.isna(row["target"]):
        return float("nan")
    gap = (
        row["value"] - row["target"]
        if row["direction"] == "lower_is_better"
        else row["target"] - row["value"]
    )
    if row["unit"] == "count":
        return gap / max(float(row["target"]), 1.0)
    return gap


meta = page.header("Tổng quan", "Overview")

periods = indicators.indicator_periods()
if periods.empty:
    st.info(
        t(
            "Chưa có chỉ số nào tính được: các tệp đã nạp chưa đủ cho kỳ nào.",
            "No indicator can be computed yet: the loaded files do not cover any period.",
        )
    )
    st.stop()

types = [k for k in PERIOD_TYPES if k in set(periods["period_type"])]
left, right = st.columns([1, 2])
period_type = left.selectbox(
    t("Loại kỳ", "Period type"),
    types,
    index=types.index("ytd") if "ytd" in types else 0,
    format_func=lambda k: t(*PERIOD_TYPES[k]),
    key="overview_period_type",
)
of_type = periods[periods["period_type"] == period_type].reset_index(drop=True)
complete = of_type.index[of_type["complete"].fillna(False).astype(bool)]
labels = dict(zip(of_type["period_key"], of_type["label_en" if EN else "label_vi"], strict=True))
period_key = right.selectbox(
    t("Kỳ", "Period"),
    list(of_type["period_key"]),
    index=int(complete[0]) if len(complete) else 0,
    format_func=labels.get,
    key=f"overview_period_{period_type}",
)
period_label = labels[period_key]
if not bool(of_type.loc[of_type["period_key"] == period_key, "complete"].iloc[0]):
    st.caption(
        t("Kỳ chưa kết thúc: số liệu còn thay đổi.", "The period has not ended: figures may still change.")
    )

frame = indicators.indicators_for_period(period_key)
frame = frame.assign(status=charts.frame_statuses(frame))
district = frame[frame["org_unit_level"] == "district"]
wards = frame[frame["org_unit_level"] == "ward"]
if district.empty:
    st.info(t("Chưa có số liệu cho kỳ này.", "No figures for this period yet."))
    st.stop()
standings = child_friendly.standings(period_key).set_index("ward_code")


def cell_text(code: object, indicator: object, value: object, unit: object, mark: object, full: bool) -> str:
    """What a cell says: a ward's child-friendly standing ('Đạt', or with its score when ``full``:
    'Đạt · 935/1.000 điểm, 13/13 tiêu chí'), never its 0% or 100%; otherwise the value."""
    if indicator == CHILD_FRIENDLY and code in standings.index:
        return standings.at[code, "standing_detail" if full else "standing"]
    return value_text(value, unit, mark)


previous = indicators.previous_period(period_key)
before = pd.DataFrame()
if previous is not None:
    before = indicators.indicators_for_period(previous["period_key"])
    before = before[before["org_unit_level"] == "district"].set_index("indicator_code")
name_col = "name_en" if EN else "name_vi"
definition_col = "definition_en" if EN else "definition_vi"

# --- tiles ---
st.subheader(t("Toàn quận", "District") + f" – {period_label}")
if previous is not None:
    st.caption(
        t("Mũi tên: thay đổi so với ", "Arrows: change from ")
        + (previous["label_en"] if EN else previous["label_vi"])
        + t(" (xanh là tốt lên).", " (green is better).")
    )
columns = st.columns(4)
for i, row in enumerate(district.itertuples(index=False)):
    prev_value = before["value"].get(row.indicator_code) if not before.empty else None
    delta = delta_text(row.value, prev_value, row.unit)
    with columns[i % 4]:
        st.metric(
            row.name_en if EN else row.name_vi,
            value_text(row.value, row.unit, row.value_mark),
            delta=delta,
            delta_color="off"
            if delta == t("không đổi", "no change")
            else "inverse"
            if row.direction == "lower_is_better"
            else "normal",
            delta_arrow="off" if delta == t("không đổi", "no change") else "auto",
            help=row.definition_en if EN else row.definition_vi,
            border=True,
        )
        st.caption(
            f"{status_text(row.status)} · "
            + t("chỉ tiêu ", "target ")
            + target_text(row.target, row.target_comparison, row.unit)
        )
        if row.indicator_code == CHILD_FRIENDLY and (
            contradicted := child_friendly.contradicted_text(standings)
        ):
            st.caption(f"⚠ {contradicted}")

# --- heatmap ---
st.subheader(t("Phường × chỉ số", "Ward × indicator"))
if wards["value"].notna().sum() == 0:
    st.info(t("Chưa có số liệu phường cho kỳ này.", "No ward figures for this period yet."))
else:
    indicator_names = dict(zip(district["indicator_code"], district[name_col], strict=True))
    sort_options = ["__name__", *district["indicator_code"]]
    sort_by = st.selectbox(
        t("Sắp xếp phường theo", "Sort wards by"),
        sort_options,
        format_func=lambda k: t("Tên phường", "Ward name") if k == "__name__" else indicator_names[k],
        key="overview_sort",
    )
    district_name = district["org_unit_name"].iloc[0]
    if sort_by == "__name__":
        ward_order = sorted(wards["org_unit_name"].unique())
    else:
        chosen = wards[wards["indicator_code"] == sort_by]
        ascending = chosen["direction"].iloc[0] != "lower_is_better"  # worst first
        ward_order = list(
            chosen.sort_values("value", ascending=ascending, na_position="last")["org_unit_name"]
        )
    short_col = "short_en" if EN else "short_vi"
    columns = ["org_unit_code", "indicator_code", "value", "unit", "value_mark"]
    cells = list(frame[columns].itertuples(index=False, name=None))
    heat = frame.assign(
        indicator=frame[name_col],
        short=frame[short_col],
        value_label=[cell_text(*cell, full=False) for cell in cells],
        value_detail=[cell_text(*cell, full=True) for cell in cells],
        target_label=[
            target_text(tg, c, u)
            for tg, c, u in zip(frame["target"], frame["target_comparison"], frame["unit"], strict=True)
        ],
        status_label=frame["status"].map(status_text),
        url=[
            f"phuong?ward={code}" if level == "ward" else None
            for code, level in zip(frame["org_unit_code"], frame["org_unit_level"], strict=True)
        ],
    )
    y = alt.Y("org_unit_name:N", title=t("Phường", "Ward"), sort=[district_name, *ward_order])
    # short names on the axis (the full name is in each cell's tooltip): never cut, on a phone too
    x = alt.X(
        "short:N",
        title=t("Chỉ số", "Indicator"),
        sort=list(district[short_col]),
        axis=alt.Axis(orient="top", labelAngle=-45, labelLimit=0, labelOverlap=False),
    )
    base = alt.Chart(heat).encode(x=x, y=y)
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("status_label:N", title=t("Đánh giá", "Status"), scale=charts.status_scale(EN)),
        href="url:N",
        tooltip=[
            alt.Tooltip("org_unit_name:N", title=t("Phường", "Ward")),
            alt.Tooltip("indicator:N", title=t("Chỉ số", "Indicator")),
            alt.Tooltip("value_detail:N", title=t("Giá trị", "Value")),
            alt.Tooltip("target_label:N", title=t("Chỉ tiêu", "Target")),
            alt.Tooltip("status_label:N", title=t("Đánh giá", "Status")),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text="value_label:N",
        color=alt.condition(alt.datum.status == "Đạt", alt.value("white"), alt.value("black")),
        href="url:N",
    )
    heatmap = (cells + text).properties(
        title=alt.Title(
            t("Phường so với chỉ tiêu", "Wards against targets") + f" – {period_label}",
            subtitle=t(
                "Màu: Đạt / Gần đạt (cách chỉ tiêu ≤ 5 điểm %, hoặc ≤ 10% với chỉ tiêu số ca) / Chưa đạt. "
                "Bấm vào ô để mở trang phường; rê chuột để xem định nghĩa chỉ số ở các ô số liệu.",
                "Colour: met / close (within 5 points, or 10% of a count target) / behind. "
                "Click a cell to open the ward's page.",
            ),
        ),
        height=alt.Step(26),
    )
    st.altair_chart(charts.vietnamese(heatmap), width="stretch")
    with st.expander(t("Định nghĩa các chỉ số", "Indicator definitions")):
        for row in district.itertuples(index=False):
            st.markdown(f"**{getattr(row, name_col)}**: {getattr(row, definition_col)}")

    go_left, go_right = st.columns([3, 1])
    ward_codes = dict(zip(wards["org_unit_name"], wards["org_unit_code"], strict=False))
    chosen_ward = go_left.selectbox(
        t("Mở trang phường", "Open a ward's page"), sorted(ward_codes), key="overview_open_ward"
    )
    if go_right.button(t("Mở", "Open"), key="overview_open"):
        st.switch_page("views/ward.py", query_params={"ward": ward_codes[chosen_ward]})

# --- table and CSV ---
table = (
    frame.assign(_district=frame["org_unit_level"].eq("district"))
    .pivot(index=["_district", "org_unit_name"], columns="indicator_code", values="value")
    .reset_index()
    .sort_values(["_district", "org_unit_name"])
)
units = dict(zip(district["indicator_code"], district["unit"], strict=True))
names = dict(zip(district["indicator_code"], district[name_col], strict=True))
codes_of = dict(zip(wards["org_unit_name"], wards["org_unit_code"], strict=False))
shown = pd.DataFrame({t("Phường", "Ward"): table["org_unit_name"].to_numpy()})
for code in district["indicator_code"]:
    if code in table:
        shown[names[code]] = [
            cell_text(codes_of.get(n) if not d else None, code, v, units[code], None, full=True)
            for n, d, v in zip(table["org_unit_name"], table["_district"], table[code], strict=True)
        ]
st.dataframe(shown, hide_index=True, width="stretch", height="content")
downloads.download(
    frame.drop(columns=["definition_vi", "definition_en"]), f"chi-so-phuong-{period_key}.csv", "overview_csv"
)

# --- needs attention ---
st.subheader(t("Cần chú ý", "Needs attention"))
behind = wards[wards["status"] == "Chưa đạt"]
if behind.empty:
    st.success(
        t("Không phường nào chưa đạt chỉ tiêu trong kỳ này.", "No ward is behind target in this period.")
    )
else:
    # the three wards furthest behind on each indicator, then the furthest of all: at most 12 rows
    behind = (
        behind.assign(gap=behind.apply(shortfall, axis=1))
        .sort_values(["gap", "org_unit_name"], ascending=[False, True])
        .groupby("indicator_code", sort=False)
        .head(3)
        .head(12)
    )
    attention = pd.DataFrame(
        {
            t("Phường", "Ward"): behind["org_unit_name"].to_numpy(),
            t("Chỉ số", "Indicator"): behind[name_col].to_numpy(),
            t("Giá trị", "Value"): [
                cell_text(o, c, v, u, h, full=True)
                for o, c, v, u, h in zip(
                    behind["org_unit_code"],
                    behind["indicator_code"],
                    behind["value"],
                    behind["unit"],
                    behind["value_mark"],
                    strict=True,
                )
            ],
            t("Chỉ tiêu", "Target"): [
                target_text(tg, c, u)
                for tg, c, u in zip(
                    behind["target"], behind["target_comparison"], behind["unit"], strict=True
                )
            ],
        }
    )
    st.caption(
        t(
            "Với mỗi chỉ số, tối đa 3 phường cách chỉ tiêu xa nhất; xếp theo khoảng cách "
            "(điểm %; với chỉ số số ca: % của chỉ tiêu).",
            "For each indicator, up to 3 wards furthest behind target, ordered by the gap "
            "(points; for counts: share of the target).",
        )
    )
    st.dataframe(attention, hide_index=True, width="stretch", height="content")
    downloads.download(
        behind.drop(columns=["definition_vi", "definition_en"]),
        f"can-chu-y-{period_key}.csv",
        "attention_csv",
        label=downloads.LIST_LABEL,
    )
