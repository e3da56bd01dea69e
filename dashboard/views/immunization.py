"""Y tế (health): DTP1→DTP3 dropout, coverage by vaccine and dose, the WHO-style monitoring chart of
cumulative DTP1 and DTP3 doses against the monthly target line, and vitamin A per round."""

import pandas as pd
import streamlit as st

from dashboard import charts, downloads, formatting, page
from dashboard.i18n import lang, t
from dashboard.queries import health, indicators, serving
from policy.status import MET, STATUS_EN, indicator_status

english = lang() == "en"
meta = page.header("Y tế", "Health")

periods = indicators.sector_periods(("dtp_dropout",))
if periods.empty:
    st.info(
        t(
            "Chưa có mũi tiêm DPT-VGB-Hib nào trong dữ liệu đã nạp, nên chưa tính được tỷ lệ bỏ cuộc "
            "và độ bao phủ tiêm chủng.",
            "No DTP-HepB-Hib dose in the loaded data yet, so dropout and coverage cannot be computed.",
        )
    )
    st.stop()


def _definition(entry: dict) -> str:
    text = entry.get("definition_en", "") if english else entry.get("definition_vi", "")
    return (
        t("Định nghĩa: ", "Definition: ")
        + f"{text}. "
        + t("Nguồn chỉ tiêu: ", "Target source: ")
        + str(entry.get("target_source", ""))
    )


def _status(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [indicator_status(r.value, r.target, r.target_comparison, r.direction) for r in frame.itertuples()],
        index=frame.index,
        dtype="object",
    )


def _status_text(label: str) -> str:
    return STATUS_EN.get(label, label) if english else label


def _csv(frame: pd.DataFrame, name: str, key: str) -> None:
    downloads.download(frame, name, key)


def _ward_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A per-ward indicator table in Vietnamese formats, the district last."""
    return pd.DataFrame(
        {
            t("Phường", "Ward"): frame["org_unit_name"],
            t("Tử số", "Numerator"): frame["numerator"].map(formatting.number),
            t("Mẫu số", "Denominator"): frame["denominator"].map(formatting.number),
            t("Tỷ lệ", "Value"): frame["value"].map(formatting.percent),
            t("Chỉ tiêu", "Target"): frame["target"].map(lambda v: formatting.percent(v, 0)),
            t("Đánh giá", "Status"): frame["status"].map(_status_text),
        }
    )


columns = ["period_type", "period_key", "period_start", "period_end", "label_vi", "label_en"]
options = list(periods[columns].itertuples(index=False, name=None))
chosen = st.selectbox(t("Kỳ", "Period"), options, format_func=formatting.period_label, key="period")
period_type, period_key, period_start, period_end = chosen[:4]
months = tuple(str(m) for m in pd.period_range(period_start, period_end, freq="M"))
period_label = formatting.period_label(chosen)

# --- DTP1→DTP3 dropout -------------------------------------------------------------------------
st.header(t("Tiêm chủng mở rộng", "Expanded Programme on Immunisation"))
catalogue = serving.indicator("dtp_dropout")
target = float(catalogue.get("target", 0.10))
frame = health.dropout_by_ward(period_type, period_key)
district = frame[frame["org_unit_level"] == "district"].iloc[0]
wards = frame[frame["org_unit_level"] == "ward"]

dropout_status = indicator_status(
    district["dropout"], district["target"], district["target_comparison"], district["direction"]
)
col1, col2, col3 = st.columns(3)
col1.metric(
    t("Mũi DPT-VGB-Hib 1 (toàn quận)", "DTP-HepB-Hib dose 1 (district)"), formatting.number(district["dtp1"])
)
col2.metric(
    t("Mũi DPT-VGB-Hib 3 (toàn quận)", "DTP-HepB-Hib dose 3 (district)"), formatting.number(district["dtp3"])
)
col3.metric(
    t("Tỷ lệ bỏ cuộc DPT1→DPT3", "DTP1→DTP3 dropout"),
    formatting.percent(district["dropout"]),
    delta=_status_text(dropout_status)
    + t(f" (ngưỡng ≤ {formatting.percent(target, 0)})", f" (threshold ≤ {formatting.percent(target, 0)})"),
    delta_color="normal" if dropout_status == MET else "inverse",
    delta_arrow="off",
)
st.caption(_definition(catalogue))

behind = wards[wards["meets_target"] == False]  # noqa: E712 (pandas mask)
if not behind.empty:
    st.warning(
        t("Phường vượt ngưỡng bỏ cuộc: ", "Wards above the dropout threshold: ")
        + ", ".join(f"{r.org_unit_name} ({formatting.percent(r.dropout)})" for r in behind.itertuples())
    )

left, right = st.columns(2)
with left:
    ranked = charts.dropout_by_ward(
        wards.dropna(subset=["dropout"]),
        target,
        t(f"Tỷ lệ bỏ cuộc – {period_label}", f"Dropout – {period_label}"),
    )
    st.altair_chart(charts.vietnamese(ranked), width="stretch")
with right:
    doses = health.doses_by_ward_vaccine(months)
    if doses.empty:
        st.info(t("Không có mũi tiêm nào trong kỳ này.", "No dose was given in this period."))
    else:
        st.altair_chart(
            charts.vietnamese(
                charts.doses_by_ward(doses, t(f"Mũi tiêm – {period_label}", f"Doses – {period_label}"))
            ),
            width="stretch",
        )

trend = health.dropout_trend()
if not trend.empty:
    st.altair_chart(charts.vietnamese(charts.dropout_trend(trend, target)), width="stretch")
    negative = trend[trend["negative"].fillna(False).astype(bool)]
    if not negative.empty:
        st.warning(
            t(
                "Cần kiểm tra số liệu (nhiều mũi DPT3 hơn DPT1 từ đầu năm, không vẽ trên biểu đồ): ",
                "Data to check (more DTP3 than DTP1 doses so far this year, not plotted): ",
            )
            + "; ".join(f"{row.org_unit_name} ({row.month})" for row in negative.itertuples())
        )

st.subheader(t("Bảng bỏ cuộc theo phường", "Dropout by ward"))
table = frame.assign(
    **{
        "Phường": frame["org_unit_name"],
        "DPT1": frame["dtp1"].map(formatting.number),
        "DPT3": frame["dtp3"].map(formatting.number),
        "Bỏ cuộc": frame["dropout"].map(formatting.percent),
        "Đánh giá": charts.status_column(frame),
    }
)[["Phường", "DPT1", "DPT3", "Bỏ cuộc", "Đánh giá"]]
st.dataframe(table, hide_index=True, width="stretch", height="content")
_csv(frame, f"bo-cuoc-dpt-{period_key}.csv", "csv_dropout")

# --- coverage by vaccine and dose ----------------------------------------------------------------
st.header(t("Độ bao phủ theo vắc xin và mũi tiêm", "Coverage by vaccine and dose"))
full_entry = serving.indicator("fully_immunised_under1")
full = indicators.ward_indicator("fully_immunised_under1", period_type, period_key)
full_district = full[full["org_unit_level"] == "district"]
if full.empty or full_district.empty or not (full_district["denominator"].fillna(0) > 0).any():
    st.info(
        t(
            f"Chưa tính được tỷ lệ tiêm chủng đầy đủ cho kỳ «{period_label}»: không có trẻ nào trong sổ "
            "theo dõi trẻ em có sinh nhật đầu tiên trong kỳ (sổ theo dõi của các phường chưa được nạp "
            "hoặc chưa có trẻ tròn 1 tuổi trong kỳ).",
            f"Full immunisation cannot be computed for {period_label}: no child in the ward registers has "
            "a first birthday in the period (the registers are not loaded yet, or no child turned one).",
        )
    )
else:
    full = full.assign(status=_status(full))
    row = full_district.iloc[0]
    st.metric(
        t("Trẻ dưới 1 tuổi tiêm chủng đầy đủ (toàn quận)", "Fully immunised before age 1 (district)"),
        formatting.percent(row["value"]),
        delta=_status_text(
            indicator_status(row["value"], row["target"], row["target_comparison"], row["direction"])
        )
        + t(
            f" (chỉ tiêu ≥ {formatting.percent(row['target'], 0)})",
            f" (target ≥ {formatting.percent(row['target'], 0)})",
        ),
        delta_color="off",
        delta_arrow="off",
    )
    full_wards = full[(full["org_unit_level"] == "ward") & (full["denominator"].fillna(0) > 0)]
    chart = charts.ward_indicator_bars(
        full_wards,
        title=t(
            f"Tiêm chủng đầy đủ trước 1 tuổi – {period_label}",
            f"Fully immunised before age 1 – {period_label}",
        ),
        subtitle=t("Vạch đứt: chỉ tiêu", "Dashed rule: target"),
        x_title=t("Tỷ lệ tiêm chủng đầy đủ", "Fully immunised"),
        target=row["target"],
        english=english,
    )
    st.altair_chart(charts.vietnamese(chart), width="stretch")
    st.caption(_definition(full_entry))
    st.dataframe(_ward_table(full), hide_index=True, width="stretch", height="content")
    _csv(full, f"tiem-chung-day-du-{period_key}.csv", "csv_full")

by_dose = health.doses_by_vaccine_dose(months)
if by_dose.empty:
    st.info(
        t(
            f"Không có mũi tiêm nào trong {period_label.lower()}: chưa nạp tệp tiêm chủng của kỳ này.",
            f"No dose in {period_label}: no immunisation file for this period is loaded yet.",
        )
    )
else:
    by_dose = by_dose.assign(
        label=[
            f"{v} – {t('mũi', 'dose')} {int(d)}"
            for v, d in zip(
                by_dose["vaccine_en" if english else "vaccine_vi"], by_dose["dose_number"], strict=True
            )
        ]
    )
    totals = by_dose.groupby("label", as_index=False, sort=False).agg(doses=("doses", "sum"))
    totals["order"] = range(len(totals))
    st.altair_chart(
        charts.vietnamese(
            charts.doses_by_vaccine_dose(
                totals,
                title=t(
                    f"Số mũi tiêm theo vắc xin và mũi – {period_label}",
                    f"Doses by vaccine and dose – {period_label}",
                ),
                subtitle=t(
                    "Toàn quận; xếp theo lịch tiêm chủng. Số mũi hợp lệ tiêm trong kỳ (theo ngày tiêm).",
                    "District; in schedule order. Valid doses given in the period (by dose date).",
                ),
                english=english,
            )
        ),
        width="stretch",
    )
    st.caption(
        t(
            "Định nghĩa: số mũi tiêm hợp lệ theo phường, vắc xin và mũi, tính theo tháng tiêm "
            "(mũi tiêm trước ngày sinh, mũi 2 trước mũi 1 hay hai mũi cách nhau dưới 28 ngày bị loại).",
            "Definition: valid doses by ward, vaccine and dose number, by month given (doses before birth, "
            "dose 2 before dose 1 or doses under 28 days apart are excluded).",
        )
    )
    pivot = by_dose.pivot_table(
        index="ward_name", columns="label", values="doses", aggfunc="sum", fill_value=0, sort=False
    )
    pivot = pivot[list(totals["label"])].sort_index()
    pivot.loc[t("Toàn quận", "District")] = pivot.sum()
    pivot = pivot.astype(int).reset_index().rename(columns={"ward_name": t("Phường", "Ward")})
    st.dataframe(
        pivot.set_index(t("Phường", "Ward")).map(formatting.number).reset_index(),
        hide_index=True,
        width="stretch",
        height="content",
    )
    _csv(pivot, f"mui-tiem-theo-vac-xin-{period_key}.csv", "csv_doses")

# --- monitoring chart ------------------------------------------------------------------------------
year = period_end.year
st.header(t(f"Biểu đồ giám sát tiêm chủng năm {year}", f"Immunisation monitoring chart {year}"))
ward_list = serving.current_wards()
ward_options = [None, *ward_list["ward_code"]]
ward_names = dict(zip(ward_list["ward_code"], ward_list["ward_name"], strict=True))
ward_code = st.selectbox(
    t("Đơn vị", "Area"),
    ward_options,
    format_func=lambda c: t("Toàn quận", "District") if c is None else ward_names.get(c, c),
    key="monitor_ward",
)
area = t("toàn quận", "district") if ward_code is None else ward_names.get(ward_code, ward_code)
month_periods = periods[
    (periods["period_type"] == "month") & (periods["period_end"].map(lambda d: d.year) == year)
]
year_rows = periods[(periods["period_type"] == "year") & (periods["period_key"] == str(year))]
last_month = (
    12 if not year_rows.empty else max([d.month for d in month_periods["period_end"]] + [period_end.month])
)
monthly = health.dtp_monthly(year, ward_code)
month_keys = [f"{year}-{m:02d}" for m in range(1, last_month + 1)]
monthly = monthly.set_index("dose_month").reindex(month_keys, fill_value=0)
cumulative = pd.DataFrame(
    {
        "month": range(1, last_month + 1),
        "dose_month": month_keys,
        "dtp1": monthly["dtp1"].astype(int).to_numpy(),
        "dtp3": monthly["dtp3"].astype(int).to_numpy(),
    }
)
cumulative["dtp1_cumulative"] = cumulative["dtp1"].cumsum()
cumulative["dtp3_cumulative"] = cumulative["dtp3"].cumsum()
cumulative["dropout_cumulative"] = [
    None
    if not a or month < health.DROPOUT_FROM_MONTH
    else (a - b) / a
    if a >= b
    else t("cần kiểm tra (DPT3 > DPT1)", "to check (DTP3 > DTP1)")
    for month, a, b in zip(
        cumulative["month"], cumulative["dtp1_cumulative"], cumulative["dtp3_cumulative"], strict=True
    )
]
population = health.target_population(year, ward_code)
target_name = t("Mục tiêu (dân số đích/12 × tháng)", "Target (target population/12 × month)")
dtp1_name = t("DPT1 cộng dồn", "Cumulative DTP1")
dtp3_name = t("DPT3 cộng dồn", "Cumulative DTP3")
lines = pd.concat(
    [
        pd.DataFrame(
            {"month": cumulative["month"], "series": dtp1_name, "doses": cumulative["dtp1_cumulative"]}
        ),
        pd.DataFrame(
            {"month": cumulative["month"], "series": dtp3_name, "doses": cumulative["dtp3_cumulative"]}
        ),
    ]
    + (
        [
            pd.DataFrame(
                {
                    "month": range(1, 13),
                    "series": target_name,
                    "doses": [population / 12 * m for m in range(1, 13)],
                }
            )
        ]
        if population
        else []
    ),
    ignore_index=True,
)
if population:
    population_note = t(
        f"Dân số đích năm {year} ({area}): {formatting.number(population)} trẻ – mẫu số của chỉ tiêu "
        "tiêm chủng đầy đủ cả năm (trẻ trong sổ theo dõi có sinh nhật đầu tiên trong năm).",
        f"Target population {year} ({area}): {formatting.number(population)} children – the year's "
        "fully-immunised denominator (register children whose first birthday falls in the year).",
    )
else:
    population_note = t(
        f"Chưa có đường mục tiêu: chưa có mẫu số tiêm chủng đầy đủ cả năm {year} ({area}) – dân số đích lấy "
        "từ trẻ trong sổ theo dõi có sinh nhật đầu tiên trong năm, mà sổ theo dõi chưa được nạp "
        "hoặc năm chưa khép lại.",
        f"No target line yet: there is no whole-year fully-immunised denominator for {year} ({area}) "
        "– the target population is the register children whose first birthday falls in the year, "
        "and the registers are not loaded yet or the year is not closed.",
    )
if int(cumulative["dtp1_cumulative"].iloc[-1]) == 0 and int(cumulative["dtp3_cumulative"].iloc[-1]) == 0:
    st.info(
        t(
            f"Chưa có mũi DPT-VGB-Hib 1 hay 3 nào năm {year} ({area}) trong dữ liệu đã nạp.",
            f"No DTP-HepB-Hib dose 1 or 3 in {year} ({area}) in the loaded data.",
        )
    )
else:
    st.altair_chart(
        charts.vietnamese(
            charts.immunisation_monitoring(
                lines,
                title=t(
                    f"Mũi DPT-VGB-Hib 1 và 3 cộng dồn năm {year} – {area}",
                    f"Cumulative DTP-HepB-Hib doses 1 and 3, {year} – {area}",
                ),
                subtitle=t(
                    "Khoảng cách giữa DPT1 và DPT3 là số trẻ bỏ cuộc; đường đứt: mục tiêu tháng.",
                    "The gap between DTP1 and DTP3 is the dropout; dashed: monthly target.",
                ),
                english=english,
            )
        ),
        width="stretch",
    )
st.caption(
    t(
        "Định nghĩa: số mũi DPT-VGB-Hib 1 và 3 tiêm từ tháng 1 đến hết mỗi tháng; đường mục tiêu = "
        "dân số đích / 12 × số tháng. ",
        "Definition: DTP-HepB-Hib doses 1 and 3 given from January to the end of each month; target line "
        "= target population / 12 × month. ",
    )
    + population_note
)
monitor_table = cumulative.assign(
    target_cumulative=[population / 12 * m if population else None for m in cumulative["month"]]
)
st.dataframe(
    pd.DataFrame(
        {
            t("Tháng", "Month"): [
                formatting.month_label(m) if not english else m for m in monitor_table["dose_month"]
            ],
            t("DPT1 trong tháng", "DTP1 in month"): monitor_table["dtp1"].map(formatting.number),
            t("DPT3 trong tháng", "DTP3 in month"): monitor_table["dtp3"].map(formatting.number),
            t("DPT1 cộng dồn", "Cumulative DTP1"): monitor_table["dtp1_cumulative"].map(formatting.number),
            t("DPT3 cộng dồn", "Cumulative DTP3"): monitor_table["dtp3_cumulative"].map(formatting.number),
            t("Mục tiêu cộng dồn", "Cumulative target"): monitor_table["target_cumulative"].map(
                lambda v: formatting.number(round(v)) if v is not None else "–"
            ),
            t("Bỏ cuộc cộng dồn", "Cumulative dropout"): monitor_table["dropout_cumulative"].map(
                lambda v: v if isinstance(v, str) else formatting.percent(v)
            ),
        }
    ),
    hide_index=True,
    width="stretch",
)
_csv(monitor_table, f"giam-sat-dpt-{year}-{ward_code or 'quan'}.csv", "csv_monitor")

# --- vitamin A per round -------------------------------------------------------------------------
st.header(t("Vitamin A theo đợt", "Vitamin A per round"))
vit_entry = serving.indicator("vitamin_a_coverage")
rounds = health.vitamin_a_rounds()
if rounds.empty:
    st.info(
        t(
            "Chưa có đợt uống vitamin A nào có số liệu: đợt 1–2/6 và 1–2/12 tính trên trẻ 6–36 tháng "
            "trong sổ theo dõi; chưa nạp tệp vitamin A hay sổ theo dõi trẻ em của một đợt nào.",
            "No vitamin A round with figures yet: the 1–2 June and 1–2 December rounds count register "
            "children aged 6–36 months; no vitamin A file or ward register of any round is loaded yet.",
        )
    )
else:
    keys = list(dict.fromkeys(rounds["period_key"]))[:4]
    rounds = rounds[rounds["period_key"].isin(keys)]
    rounds = rounds.assign(
        status=_status(rounds),
        round=[
            t(f"Đợt tháng {d.month}/{d.year}", f"Round {d.strftime('%B %Y')}") for d in rounds["period_start"]
        ],
    )
    latest = rounds[(rounds["period_key"] == keys[0]) & (rounds["org_unit_level"] == "district")]
    if not latest.empty:
        row = latest.iloc[0]
        st.metric(
            t(f"Toàn quận – {row['round'].lower()}", f"District – {row['round']}"),
            formatting.percent(row["value"]),
            delta=_status_text(row["status"])
            + t(
                f" (chỉ tiêu ≥ {formatting.percent(row['target'], 0)})",
                f" (target ≥ {formatting.percent(row['target'], 0)})",
            ),
            delta_color="off",
            delta_arrow="off",
        )
    st.altair_chart(
        charts.vietnamese(
            charts.vitamin_a_by_ward(
                rounds[(rounds["org_unit_level"] == "ward") & (rounds["denominator"].fillna(0) > 0)],
                title=t(
                    "Tỷ lệ trẻ 6–36 tháng uống vitamin A theo đợt",
                    "Vitamin A coverage, children 6–36 months, per round",
                ),
                subtitle=t("Vạch đứt: chỉ tiêu", "Dashed rule: target"),
                target=vit_entry.get("target"),
                english=english,
            )
        ),
        width="stretch",
    )
    st.caption(_definition(vit_entry))
    st.dataframe(
        pd.concat(
            [
                pd.DataFrame({t("Đợt", "Round"): rounds["round"]}).reset_index(drop=True),
                _ward_table(rounds).reset_index(drop=True),
            ],
            axis=1,
        ),
        hide_index=True,
        width="stretch",
        height="content",
    )
    _csv(rounds.drop(columns=["status"]), "vitamin-a-theo-dot.csv", "csv_vitamin_a")
