"""Bảo vệ trẻ em: HCĐB children supported, abuse cases and timely intervention, injury deaths against 2024."""

import pandas as pd
import streamlit as st

from dashboard import charts, criteria, downloads, formatting, page
from dashboard.auth import current_viewer
from dashboard.i18n import lang, t
from dashboard.queries import child_friendly, indicators, protection, serving
from policy.child_friendly import DISAGREEMENTS
from policy.status import STATUS_EN

EN = lang() == "en"


def _n(value: object, mark: object = None) -> str:
    """A count in Vietnamese format; its mark ('<5', 'x') when hidden, '–' when missing."""
    if value is None or pd.isna(value):
        if isinstance(mark, str):
            return t("ẩn", "hidden") if mark == "hidden" else mark
        return "–"
    return formatting.number(value)


def _counts(frame: pd.DataFrame, column: str) -> list[str]:
    return [_n(v, m) for v, m in zip(frame[column], frame[f"{column}_mark"], strict=True)]


meta = page.header("Bảo vệ trẻ em", "Child protection")
viewer = current_viewer()
if viewer is not None and not viewer.sees_small_counts:
    st.caption(
        t(
            "Số vụ xâm hại và số trẻ tử vong do tai nạn thương tích chỉ hiển thị theo năm và theo kỳ báo cáo "
            "(như báo cáo định kỳ in ra); số nhỏ hơn 5 được ẩn (“<5”), cùng một số ô khác để không suy ra "
            "được bằng phép trừ (Luật Trẻ em 2016: bí mật đời tư của trẻ em).",
            "Abuse cases and injury deaths are shown by calendar year and report period only (as the "
            "periodic reports print them); those below 5 are hidden (“<5”), with some other cells so that "
            "none can be worked out by subtraction.",
        )
    )

periods = indicators.sector_periods(
    protection.PROTECTION_INDICATORS, ("year", "report", "half_year", "quarter", "month"), counts=True
)
if periods.empty:
    st.info(
        t(
            "Chưa có số liệu bảo vệ trẻ em cho kỳ nào: chưa nạp tệp hỗ trợ trẻ em có hoàn cảnh đặc biệt, "
            "vụ việc xâm hại hay tai nạn thương tích (hoặc sổ theo dõi trẻ em).",
            "No child protection figures for any period yet: no HCĐB support, abuse case or injury file "
            "(or child register) has been loaded.",
        )
    )
    st.stop()


columns = ["period_type", "period_key", "period_start", "period_end", "label_vi", "label_en"]
options = list(periods[columns].itertuples(index=False, name=None))
chosen = st.selectbox(t("Kỳ", "Period"), options, format_func=formatting.period_label, key="period")
period_type, period_key = chosen[:2]
period_label = formatting.period_label(chosen)

frame = protection.protection_indicators(period_type, period_key)
frame = frame.assign(status=charts.frame_statuses(frame))
if EN:
    frame["status"] = frame["status"].map(STATUS_EN)


def _rows(code: str) -> tuple[pd.Series | None, pd.DataFrame]:
    rows = frame[frame["indicator_code"] == code]
    district = rows[rows["org_unit_level"] == "district"]
    return (district.iloc[0] if not district.empty else None), rows[rows["org_unit_level"] == "ward"]


def _definition(code: str) -> str:
    catalogue = serving.indicator(code)
    text = catalogue.get("definition_en" if EN else "definition_vi", "")
    return (
        t("Định nghĩa: ", "Definition: ")
        + f"{text}. "
        + t("Nguồn chỉ tiêu: ", "Target source: ")
        + str(catalogue.get("target_source", ""))
    )


def _download(table: pd.DataFrame, name: str, key: str) -> None:
    downloads.download(table, f"{name}-{period_key}.csv", key)


def _has_data(wards: pd.DataFrame, count: bool = False) -> bool:
    """Anything to show: a count above zero, or a count hidden for this role (a hidden count is not a
    zero: the district's tile above shows it)."""
    for column in ("numerator", "baseline") if count else ("denominator",):
        if wards[column].fillna(0).sum() > 0 or wards[f"{column}_mark"].map(_is_mark).any():
            return True
    return False


def _is_mark(mark: object) -> bool:
    return isinstance(mark, str)


def _all_hidden() -> None:
    """Every ward's figure is hidden for this role: say so (never 'no case'), the district's is above."""
    st.info(
        t(
            "Số của từng phường được ẩn trong kỳ này (số nhỏ hơn 5 và các ô đi kèm; tháng, quý chỉ hiển thị "
            "cho cán bộ bảo vệ trẻ em). Số toàn quận ở ô phía trên.",
            "Every ward's figure is hidden for this period (counts under 5 and the cells hidden with them; "
            "months and quarters are shown to child protection officers only). The district's is above.",
        )
    )


hcdb, hcdb_wards = _rows("hcdb_supported")
abuse, abuse_wards = _rows("abuse_timely_intervention")
deaths, deaths_wards = _rows("injury_deaths")

col1, col2, col3 = st.columns(3)
if hcdb is not None and hcdb["denominator"] > 0:
    col1.metric(
        t("Trẻ HCĐB được hỗ trợ (toàn quận)", "HCĐB children supported (district)"),
        formatting.percent(hcdb["value"]),
        delta=f"{hcdb['status']} · {_n(hcdb['numerator'])}/{_n(hcdb['denominator'])} " + t("trẻ", "children"),
        delta_color="off",
        delta_arrow="off",
    )
else:
    col1.metric(t("Trẻ HCĐB được hỗ trợ (toàn quận)", "HCĐB children supported (district)"), "–")
# a district count hidden for this role (NA with its mark) is shown hidden, like the overview does
hidden = abuse is not None and isinstance(abuse["denominator_mark"], str)
if abuse is not None and (hidden or (pd.notna(abuse["denominator"]) and abuse["denominator"] > 0)):
    col2.metric(
        t("Vụ xâm hại được can thiệp kịp thời", "Abuse cases with timely intervention"),
        formatting.indicator_value(abuse["value"], "percent", abuse["value_mark"]),
        delta=f"{abuse['status']} · {_n(abuse['numerator'], abuse['numerator_mark'])}/"
        f"{_n(abuse['denominator'], abuse['denominator_mark'])} " + t("vụ", "cases"),
        delta_color="off",
        delta_arrow="off",
    )
else:
    col2.metric(t("Vụ xâm hại được can thiệp kịp thời", "Abuse cases with timely intervention"), "–")
if deaths is not None:
    if pd.isna(deaths["target"]):  # 2024 itself: the baseline year, no target
        delta = t("Năm gốc để so sánh (2024)", "The baseline year (2024)")
    else:
        target_text = f"{float(deaths['target']):.1f}".replace(".", ",")
        delta = (
            f"{deaths['status']} · "
            + t(f"chỉ tiêu ≤ {target_text}", f"target ≤ {target_text}")
            + f" · 2024: {_n(deaths['baseline'], deaths['baseline_mark'])}"
        )
    col3.metric(
        t("Trẻ tử vong do tai nạn thương tích", "Child deaths from injuries"),
        _n(deaths["numerator"], deaths["numerator_mark"]),
        delta=delta,
        delta_color="off",
        delta_arrow="off",
    )

# --- HCĐB children supported ---
st.subheader(t("Trẻ em có hoàn cảnh đặc biệt được hỗ trợ", "Children in special circumstances supported"))
st.caption(_definition("hcdb_supported"))
if hcdb_wards.empty or not _has_data(hcdb_wards):
    st.info(
        t(
            f"Chưa có trẻ HCĐB nào trong sổ theo dõi cho kỳ {period_label.lower()}: chưa nạp sổ theo dõi "
            "trẻ em.",
            f"No HCĐB child in the register for {period_label}: no child register loaded yet.",
        )
    )
else:
    chart = charts.indicator_by_ward(
        hcdb_wards.dropna(subset=["value"]),
        t(f"Tỷ lệ trẻ HCĐB được hỗ trợ – {period_label}", f"HCĐB children supported – {period_label}"),
        t("Lũy kế từ 1/1; vạch đứt: chỉ tiêu 100%", "Since 1 January; dashed line: 100% target"),
        t("Tỷ lệ được hỗ trợ", "Share supported"),
        percent=True,
        english=EN,
    )
    st.altair_chart(charts.vietnamese(chart), width="stretch")
    table = pd.DataFrame(
        {
            t("Phường", "Ward"): hcdb_wards["org_unit_name"],
            t("Trẻ HCĐB", "HCĐB children"): hcdb_wards["denominator"].map(_n),
            t("Đã hỗ trợ", "Supported"): hcdb_wards["numerator"].map(_n),
            t("Tỷ lệ", "Share"): hcdb_wards["value"].map(formatting.percent),
            t("Đánh giá", "Status"): hcdb_wards["status"],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", height="content")
    _download(hcdb_wards, "tre-hcdb-duoc-ho-tro", "dl_hcdb")

# --- HCĐB children by group ---
st.subheader(t("Trẻ em có hoàn cảnh đặc biệt theo nhóm", "Children in special circumstances by group"))
groups = protection.hcdb_children_groups()
if groups.empty:
    if viewer is not None and not viewer.sees_small_counts:
        st.info(
            t(
                "Số trẻ HCĐB theo nhóm của từng phường chỉ dành cho cán bộ bảo vệ trẻ em: nhiều nhóm (bị "
                "xâm hại, bị mua bán, nhiễm HIV…) chỉ có một, hai trẻ mỗi phường. Tổng theo nhóm của toàn "
                "quận có trong báo cáo định kỳ.",
                "HCĐB children by group and ward are for child-protection officers: several groups "
                "(abused, trafficked, living with HIV…) hold one or two children a ward. The district's "
                "totals by group are in the periodic reports.",
            )
        )
    elif not serving.has_table("agg_hcdb_children_groups"):
        st.info(
            t(
                "Bản phục vụ này chưa có bảng trẻ HCĐB theo nhóm; lần xuất bản sau sẽ có.",
                "This serving copy has no HCĐB-by-group table yet; the next publish will add it.",
            )
        )
    else:
        st.info(
            t(
                "Chưa có trẻ HCĐB theo nhóm: chưa nạp sổ theo dõi trẻ em.",
                "No HCĐB children by group: no child register loaded yet.",
            )
        )
else:
    as_of = pd.Timestamp(groups["as_of_date"].iloc[0]).strftime("%d/%m/%Y")
    st.caption(
        t(
            f"Theo sổ theo dõi mới nhất, tại ngày {as_of} (không theo kỳ đã chọn). Một trẻ có thể thuộc "
            "nhiều nhóm nên tổng các nhóm có thể lớn hơn số trẻ.",
            f"From the latest register, on {as_of} (not the chosen period). A child may belong to several "
            "groups, so the groups can add up to more than the children.",
        )
    )
    name = "group_name_en" if EN else "group_name_vi"
    district = (
        groups.groupby(["hcdb_group_code", "group_sort_order", name], as_index=False)[
            ["children", "children_supported"]
        ]
        .sum()
        .sort_values("group_sort_order")
    )
    district["group"] = district["hcdb_group_code"] + ") " + district[name]
    st.altair_chart(
        charts.vietnamese(
            charts.hcdb_groups(
                district, t("Trẻ HCĐB theo nhóm, toàn quận", "HCĐB children by group, district"), EN
            )
        ),
        width="stretch",
    )
    pivot = groups.pivot_table(
        index="ward_name", columns="hcdb_group_code", values="children", aggfunc="sum", fill_value=0
    )
    pivot = pivot[[c for c in district["hcdb_group_code"] if c in pivot.columns]]
    pivot.index.name = t("Phường", "Ward")
    pivot.columns.name = None
    st.dataframe(pivot.reset_index(), hide_index=True, width="stretch", height="content")
    _download(groups, "tre-hcdb-theo-nhom", "dl_groups")

# --- abuse cases and timely intervention ---
st.subheader(t("Trẻ bị xâm hại được can thiệp kịp thời", "Abused children given timely intervention"))
st.caption(_definition("abuse_timely_intervention"))
if abuse_wards.empty or not _has_data(abuse_wards):
    st.info(
        t(
            f"Không có vụ xâm hại nào được tiếp nhận trong kỳ {period_label.lower()} (hoặc chưa nạp danh "
            "sách vụ việc).",
            f"No abuse case received in {period_label} (or no case list loaded yet).",
        )
    )
else:
    with_cases = abuse_wards[abuse_wards["denominator"].map(lambda v: not pd.isna(v) and v > 0)]
    if with_cases.empty:
        _all_hidden()
    else:
        chart = charts.indicator_by_ward(
            with_cases,
            t(f"Tỷ lệ vụ được can thiệp kịp thời – {period_label}", f"Timely intervention – {period_label}"),
            t(
                "Chỉ các phường có vụ việc; vạch đứt: chỉ tiêu 100%",
                "Wards with cases only; dashed line: 100%",
            ),
            t("Tỷ lệ can thiệp kịp thời", "Share timely"),
            percent=True,
            english=EN,
        )
        st.altair_chart(charts.vietnamese(chart), width="stretch")
    table = pd.DataFrame(
        {
            t("Phường", "Ward"): abuse_wards["org_unit_name"],
            t("Số vụ", "Cases"): _counts(abuse_wards, "denominator"),
            t("Can thiệp kịp thời", "Timely"): _counts(abuse_wards, "numerator"),
            t("Tỷ lệ", "Share"): abuse_wards["value"].map(formatting.percent),
            t("Đánh giá", "Status"): abuse_wards["status"],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", height="content")
    _download(abuse_wards, "vu-xam-hai-can-thiep", "dl_abuse")

# --- injury deaths against 2024 ---
st.subheader(t("Trẻ tử vong do tai nạn thương tích so với năm 2024", "Child injury deaths against 2024"))
st.caption(_definition("injury_deaths"))
if deaths_wards.empty or not _has_data(deaths_wards, count=True):
    st.info(
        t(
            f"Không có ca tử vong nào trong kỳ {period_label.lower()} và cùng kỳ năm 2024 (hoặc chưa nạp "
            "danh sách tai nạn thương tích).",
            f"No death in {period_label} nor in the same months of 2024 (or no injury list loaded yet).",
        )
    )
else:
    if not deaths_wards["numerator"].map(lambda v: not pd.isna(v)).any():
        _all_hidden()
    else:
        chart = charts.indicator_by_ward(
            deaths_wards,
            t(f"Số trẻ tử vong do tai nạn thương tích – {period_label}", f"Injury deaths – {period_label}"),
            t(
                "Vạch đen: chỉ tiêu, không quá 90% số ca cùng kỳ năm 2024",
                "Black tick: target, at most 90% of the same months of 2024",
            ),
            t("Số ca tử vong", "Deaths"),
            percent=False,
            english=EN,
        )
        st.altair_chart(charts.vietnamese(chart), width="stretch")
    table = pd.DataFrame(
        {
            t("Phường", "Ward"): deaths_wards["org_unit_name"],
            t("Số ca tử vong", "Deaths"): _counts(deaths_wards, "numerator"),
            t("Cùng kỳ 2024", "Same months 2024"): [
                _n(b, m) if isinstance(m, str) or not pd.isna(tg) else "–"
                for b, tg, m in zip(
                    deaths_wards["baseline"],
                    deaths_wards["target"],
                    deaths_wards["baseline_mark"],
                    strict=True,
                )
            ],
            t("Chỉ tiêu (≤)", "Target (≤)"): deaths_wards["target"].map(
                lambda v: "–" if pd.isna(v) else f"{v:.1f}".replace(".", ",")
            ),
            t("Đánh giá", "Status"): deaths_wards["status"],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", height="content")
    _download(deaths_wards, "tu-vong-tai-nan-thuong-tich", "dl_deaths")

# --- child-friendly self-assessments the data contradict ---
year = chosen[3].year
st.subheader(
    t(
        f"Phường phù hợp với trẻ em: điểm tự chấm khác số liệu (tự đánh giá đến năm {year})",
        f"Child-friendly wards: self-assessed points the data do not bear out (assessments up to {year})",
    )
)
checks = child_friendly.cross_check(year)
if not child_friendly.available():
    criteria.not_in_this_copy()
elif checks.empty:
    st.info(t("Chưa có bản tự đánh giá nào.", "No self-assessment yet."))
else:
    wards = serving.current_wards()
    names = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))
    summary = child_friendly.standings(period_key)
    if (said := child_friendly.contradicted_text(summary)) is not None:
        contradicted = summary[summary["contradicted"] == True]  # noqa: E712 (None: untold)
        listed = ", ".join(sorted(names.get(c, c) for c in contradicted["ward_code"]))
        (st.warning if listed else st.write)(said + (f": {listed}." if listed else "."))
    disagreements = checks[checks["verdict"].isin(DISAGREEMENTS)]
    if disagreements.empty:
        st.write(
            t(
                "Điểm tự chấm của mọi phường khớp với số liệu ở các tiêu chí có số liệu.",
                "Every ward's own points agree with the data on the criteria with data.",
            )
        )
    else:
        criteria.show(disagreements, names)
    criteria.legend(viewer is not None and not viewer.sees_small_counts)
    _download(checks, "phu-hop-tre-em-doi-chieu", "dl_child_friendly")
