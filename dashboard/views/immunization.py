"""Tiêm chủng: doses and DTP1→DTP3 dropout per ward, against the WHO threshold."""

import pandas as pd
import streamlit as st

from dashboard import charts, formatting, queries

st.title("Tiêm chủng mở rộng")

meta = queries.serving_meta()
if meta is None:
    st.info(
        "Chưa có dữ liệu: bản phục vụ chưa được xuất bản. "
        "Hãy chạy `treem run` sau khi các tệp đã vào hộp thư."
    )
    st.stop()
st.caption(
    f"Dữ liệu tính đến {formatting.datetime(meta['data_as_of'])} · xuất bản lúc "
    f"{formatting.datetime(meta['published_at'])} · {formatting.number(meta['files_loaded'])} tệp đã nạp, "
    f"{formatting.number(meta['files_quarantined'])} tệp cách ly"
)

periods = queries.immunization_periods()
if periods.empty:
    st.info("Chưa có mũi tiêm DPT-VGB-Hib nào trong dữ liệu đã nạp, nên chưa tính được tỷ lệ bỏ cuộc.")
    st.stop()


def _label(row: tuple) -> str:
    period_type, period_key, _, period_end = row
    if period_type == "year":
        return f"Cả năm {period_key}"
    if period_type == "ytd":
        return f"Từ đầu năm đến {formatting.month_label(period_end.strftime('%Y-%m')).lower()}"
    return formatting.month_label(period_key)


columns = ["period_type", "period_key", "period_start", "period_end"]
options = list(periods[columns].itertuples(index=False, name=None))
chosen = st.selectbox("Kỳ", options, format_func=_label, key="period")
period_type, period_key, period_start, period_end = chosen
months = tuple(str(m) for m in pd.period_range(period_start, period_end, freq="M"))

catalogue = queries.indicator("dtp_dropout")
target = float(catalogue.get("target", 0.10))
frame = queries.dropout_by_ward(period_type, period_key)
district = frame[frame["org_unit_level"] == "district"].iloc[0]
wards = frame[frame["org_unit_level"] == "ward"]

col1, col2, col3 = st.columns(3)
col1.metric("Mũi DPT-VGB-Hib 1 (toàn quận)", formatting.number(district["dtp1"]))
col2.metric("Mũi DPT-VGB-Hib 3 (toàn quận)", formatting.number(district["dtp3"]))
col3.metric(
    "Tỷ lệ bỏ cuộc DPT1→DPT3",
    formatting.percent(district["dropout"]),
    delta=charts.status_label(district["meets_target"], district["dropout"])
    + f" (ngưỡng ≤ {formatting.percent(target, 0)})",
    delta_color="normal" if district["meets_target"] else "inverse",
    delta_arrow="off",
)
st.caption(
    f"Định nghĩa: {catalogue.get('definition_vi', '')}. Nguồn ngưỡng: {catalogue.get('target_source', '')}."
)

behind = wards[wards["meets_target"] == False]  # noqa: E712 (pandas mask)
if not behind.empty:
    st.warning(
        "Phường vượt ngưỡng bỏ cuộc: "
        + ", ".join(f"{r.org_unit_name} ({formatting.percent(r.dropout)})" for r in behind.itertuples())
    )

period_label = _label(chosen)
left, right = st.columns(2)
with left:
    ranked = charts.dropout_by_ward(
        wards.dropna(subset=["dropout"]), target, f"Tỷ lệ bỏ cuộc – {period_label}"
    )
    st.altair_chart(charts.vietnamese(ranked), width="stretch")
with right:
    doses = queries.doses_by_ward_vaccine(months)
    if doses.empty:
        st.info("Không có mũi tiêm nào trong kỳ này.")
    else:
        st.altair_chart(
            charts.vietnamese(charts.doses_by_ward(doses, f"Mũi tiêm – {period_label}")), width="stretch"
        )

trend = queries.dropout_trend()
if not trend.empty:
    st.altair_chart(charts.vietnamese(charts.dropout_trend(trend, target)), width="stretch")

st.subheader("Bảng theo phường")
table = frame.assign(
    **{
        "Phường": frame["org_unit_name"],
        "DPT1": frame["dtp1"].map(formatting.number),
        "DPT3": frame["dtp3"].map(formatting.number),
        "Bỏ cuộc": frame["dropout"].map(formatting.percent),
        "Mục tiêu": charts.status_column(frame),
    }
)[["Phường", "DPT1", "DPT3", "Bỏ cuộc", "Mục tiêu"]]
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(
    "Tải bảng (CSV)",
    frame.to_csv(index=False).encode("utf-8-sig"),
    file_name=f"bo-cuoc-dpt-{period_key}.csv",
    mime="text/csv",
)
