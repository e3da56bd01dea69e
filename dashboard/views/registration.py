"""Hộ tịch & BHYT: on-time and linked-procedure birth registration, and under-6 BHYT coverage, per ward."""

import pandas as pd
import streamlit as st

from dashboard import charts, downloads, formatting, page
from dashboard.i18n import lang, t
from dashboard.queries import indicators, serving
from policy.status import NO_TARGET, STATUS_EN, indicator_status

CODES = ("birth_reg_on_time", "birth_reg_linked", "bhyt_under6_coverage")

english = lang() == "en"
meta = page.header("Hộ tịch & BHYT", "Registration & insurance")

periods = indicators.sector_periods(CODES)
if periods.empty:
    st.info(
        t(
            "Chưa có số liệu đăng ký khai sinh hay thẻ BHYT: chưa nạp tệp đăng ký khai sinh nào của Tư pháp, "
            "tệp thẻ BHYT nào của BHXH quận hay sổ theo dõi trẻ em nào của phường, nên chưa tính được tỷ lệ "
            "đăng ký đúng hạn, đăng ký liên thông và trẻ dưới 6 tuổi có thẻ BHYT.",
            "No birth-registration or BHYT figures yet: no birth-registration file (justice), BHYT card file "
            "(social insurance) or ward child register is loaded, so on-time and linked registration and "
            "under-6 BHYT coverage cannot be computed.",
        )
    )
    st.stop()


def _status_text(label: str) -> str:
    return STATUS_EN.get(label, label) if english else label


def _target_text(entry: dict) -> str:
    target = entry.get("target")
    if target is None or pd.isna(target):
        return t("không có chỉ tiêu số (mục tiêu: tăng)", "no numeric target (aim: rising)")
    return t(f"chỉ tiêu ≥ {formatting.percent(target, 0)}", f"target ≥ {formatting.percent(target, 0)}")


columns = ["period_type", "period_key", "period_start", "period_end", "label_vi", "label_en"]
options = list(periods[columns].itertuples(index=False, name=None))
chosen = st.selectbox(t("Kỳ", "Period"), options, format_func=formatting.period_label, key="period")
period_type, period_key = chosen[:2]
period_label = formatting.period_label(chosen)

SECTIONS = {
    "birth_reg_on_time": (
        t("Đăng ký khai sinh đúng hạn", "Births registered on time"),
        t("Tỷ lệ đăng ký đúng hạn (≤ 60 ngày)", "Registered within 60 days"),
        t(
            "chưa có lượt đăng ký khai sinh nào của trẻ sinh trong kỳ (chưa nạp tệp đăng ký khai sinh "
            "của Tư pháp cho kỳ này)",
            "no birth registration of a child born in the period (no justice birth-registration file loaded "
            "for it)",
        ),
    ),
    "birth_reg_linked": (
        t("Đăng ký khai sinh liên thông", "Births registered through the linked procedure"),
        t("Tỷ lệ đăng ký liên thông", "Registered through the linked procedure"),
        t(
            "chưa có lượt đăng ký khai sinh nào của trẻ sinh trong kỳ (chưa nạp tệp đăng ký khai sinh "
            "của Tư pháp cho kỳ này)",
            "no birth registration of a child born in the period (no justice birth-registration file loaded "
            "for it)",
        ),
    ),
    "bhyt_under6_coverage": (
        t("Trẻ dưới 6 tuổi có thẻ BHYT", "Children under 6 with a BHYT card"),
        t("Tỷ lệ có thẻ BHYT còn hạn", "Holding a valid BHYT card"),
        t(
            "chưa có trẻ dưới 6 tuổi nào trong sổ theo dõi trẻ em lập đến ngày cuối kỳ (chưa nạp sổ theo dõi "
            "của phường)",
            "no child under 6 in a ward register dated on or before the period end (no ward register loaded)",
        ),
    ),
}

frames = {code: indicators.ward_indicator(code, period_type, period_key) for code in CODES}
catalogue = {code: serving.indicator(code) for code in CODES}

# district tiles
tiles = st.columns(len(CODES))
for tile, code in zip(tiles, CODES, strict=True):
    frame = frames[code]
    district = frame[frame["org_unit_level"] == "district"]
    name = SECTIONS[code][0]
    if district.empty or not (district["denominator"].fillna(0) > 0).any():
        tile.metric(t(f"{name} (toàn quận)", f"{name} (district)"), "–")
        continue
    row = district.iloc[0]
    status = indicator_status(row["value"], row["target"], row["target_comparison"], row["direction"])
    tile.metric(
        t(f"{name} (toàn quận)", f"{name} (district)"),
        formatting.percent(row["value"]),
        # no numeric target: the aim says it all (the status would only repeat it)
        delta=_target_text(catalogue[code]).capitalize()
        if status == NO_TARGET
        else f"{_status_text(status)} ({_target_text(catalogue[code])})",
        delta_color="off",
        delta_arrow="off",
    )

table_parts = []
for code in CODES:
    name, axis_title, why = SECTIONS[code]
    entry = catalogue[code]
    frame = frames[code]
    st.header(name)
    wards = frame[(frame["org_unit_level"] == "ward") & (frame["denominator"].fillna(0) > 0)]
    definition = entry.get("definition_en" if english else "definition_vi", "")
    if wards.empty:
        st.info(
            t(f"Chưa có số liệu cho kỳ «{period_label}»: {why}.", f"No figures for {period_label}: {why}.")
        )
    else:
        wards = wards.assign(
            status=[
                indicator_status(r.value, r.target, r.target_comparison, r.direction)
                for r in wards.itertuples()
            ]
        )
        chart = charts.ward_indicator_bars(
            wards,
            title=f"{name} – {period_label}",
            subtitle=t("Vạch đứt: chỉ tiêu. ", "Dashed rule: target. ") + _target_text(entry).capitalize(),
            x_title=axis_title,
            target=entry.get("target"),
            english=english,
        )
        st.altair_chart(charts.vietnamese(chart), width="stretch")
    st.caption(
        t("Định nghĩa: ", "Definition: ")
        + f"{definition}. "
        + t("Nguồn chỉ tiêu: ", "Target source: ")
        + str(entry.get("target_source", ""))
    )
    if not frame.empty:
        status = [
            indicator_status(r.value, r.target, r.target_comparison, r.direction) for r in frame.itertuples()
        ]
        table = pd.DataFrame(
            {
                t("Phường", "Ward"): frame["org_unit_name"],
                t("Tử số", "Numerator"): frame["numerator"].map(formatting.number),
                t("Mẫu số", "Denominator"): frame["denominator"].map(formatting.number),
                t("Tỷ lệ", "Value"): frame["value"].map(formatting.percent),
                t("Đánh giá", "Status"): [_status_text(s) for s in status],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch", height="content")
        downloads.download(frame.assign(status=status), f"{code}-{period_key}.csv", f"csv_{code}")
