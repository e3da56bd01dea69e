"""Báo cáo & chất lượng dữ liệu: reporting completeness and timeliness, rejected files, rule violations,
outliers, cross-source reconciliation counts and the latest Great Expectations results."""

import pandas as pd
import streamlit as st

from dashboard import charts, downloads, formatting, page
from dashboard.auth import current_viewer
from dashboard.i18n import lang, t
from dashboard.queries import quality

EN = lang() == "en"


def _n(value: object) -> str:
    return "–" if value is None or pd.isna(value) else formatting.number(value)


def _date(value: object) -> str:
    return "–" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


def _when(value: object) -> str:
    return "–" if value is None or pd.isna(value) else formatting.datetime(pd.Timestamp(value))


def _pct(value: object) -> str:
    return "–" if value is None or pd.isna(value) else formatting.percent(float(value))


def _value(value: object) -> str:
    if value is None or pd.isna(value):
        return "–"
    value = float(value)
    return (
        formatting.number(int(value))
        if value.is_integer()
        else f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    )


def _download(frame: pd.DataFrame, name: str) -> None:
    downloads.download(frame, f"{name}.csv", f"dl_{name}")


meta = page.header("Báo cáo & chất lượng dữ liệu", "Reporting & data quality")

violations = quality.open_violations()
outliers = quality.count_outliers()
rejected = quality.rejected_files()
col1, col2, col3, col4 = st.columns(4)
col1.metric(t("Tệp đã nạp", "Files loaded"), _n(meta["files_loaded"]))
col2.metric(t("Tệp bị cách ly", "Files quarantined"), _n(meta["files_quarantined"]))
col3.metric(t("Vi phạm quy tắc", "Rule violations"), _n(len(violations)))
col4.metric(t("Giá trị bất thường", "Outliers"), _n(len(outliers)))

# --- 1. submissions per ward × source ---
st.subheader(t("Báo cáo theo phường và nguồn", "Submissions per ward and source"))
st.caption(
    t(
        "Mỗi phường phải gửi mỗi nguồn dữ liệu theo lịch báo cáo của quận; hạn là ngày 5 của tháng "
        "sau kỳ. Đúng hạn: tệp đầu tiên được nạp gửi không muộn hơn hạn; tệp bị cách ly không tính là đã "
        "nhận. Chưa đến hạn: chưa nhận nhưng hạn chưa qua.",
        "Each ward owes each source on the district's reporting calendar; the deadline is the 5th of the "
        "month after the period. On time: the first loaded file was sent by the deadline; a quarantined "
        "file does not count as received. Not yet due: not received, deadline not passed.",
    )
)
months = quality.submission_months()
if months.empty:
    st.info(
        t(
            "Chưa có kỳ nào phải báo cáo: chưa có số liệu cho kỳ nào trong năm có nghĩa vụ báo cáo.",
            "No reporting period owed yet: no data for any period with a reporting obligation.",
        )
    )
else:
    month = st.selectbox(
        t("Kỳ kết thúc trong tháng", "Periods ending in"),
        list(months["month"]),
        format_func=formatting.month_label,
        key="submission_month",
    )
    submissions = quality.report_submissions(month)
    status = {k: (en if EN else vi) for k, (vi, en, _) in charts.SUBMISSION_STATUS.items()}
    submissions["status_label"] = submissions["status"].map(status)

    def _status(row: pd.Series) -> str:
        if row["status"] == "late":
            return t(f"Muộn {int(row['days_late'])} ngày", f"Late by {int(row['days_late'])} days")
        return row["status_label"]

    counts = submissions["status"].value_counts()
    st.caption(
        ", ".join(f"{status[k]}: {_n(counts.get(k, 0))}" for k in charts.SUBMISSION_STATUS)
        + t(" (số tệp phải gửi)", " (extracts owed)")
    )
    wards = submissions[submissions["org_unit_level"] == "ward"]
    if not wards.empty:
        st.altair_chart(
            charts.vietnamese(
                charts.submissions_heatmap(
                    wards,
                    t(
                        f"Tình hình gửi báo cáo – {formatting.month_label(month).lower()}",
                        f"Reporting – periods ending {month}",
                    ),
                    EN,
                )
            ),
            width="content",  # a fixed cell size: on a phone the grid scrolls rather than shrinks to nothing
        )
        st.caption(t("Số trong ô: số ngày muộn.", "Number in a cell: days late."))
    table = pd.DataFrame(
        {
            t("Phường", "Ward"): submissions["org_unit_name"],
            t("Nguồn", "Source"): submissions["source_name"],
            t("Kỳ", "Period"): submissions["period_key"],
            t("Hạn", "Deadline"): submissions["deadline"].map(_date),
            t("Gửi lúc", "Submitted"): submissions["first_submitted_at"].map(_when),
            t("Trạng thái", "Status"): submissions.apply(_status, axis=1),
            t("Tệp cách ly", "Quarantined files"): submissions["files_quarantined"].map(_n),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", height="content")
    _download(submissions.drop(columns=["status_label"]), f"bao-cao-{month}")

if not current_viewer().sees_quality_detail:
    st.info(
        t(
            "Chi tiết chất lượng dữ liệu (tệp bị cách ly và lý do, dòng bị loại, vi phạm quy tắc, giá trị "
            "bất thường, kết quả kiểm tra) dành cho kỹ sư dữ liệu của quận.",
            "Data-quality detail (quarantined files and why, rejected rows, rule violations, outliers, "
            "check results) is for the district's data engineers.",
        )
    )
    st.stop()

# --- 2. rejected files and rows ---
st.subheader(t("Tệp bị cách ly và dòng bị loại", "Files quarantined and rows rejected"))
st.caption(
    t(
        "Tệp bị cách ly: không đọc được hoặc sai mẫu, không nạp dòng nào. Dòng bị loại: dòng sai quy định "
        "của mẫu (ngày sai, mã không hợp lệ…) trong tệp đã nạp. Tỷ lệ loại = dòng bị loại / tổng số dòng.",
        "A quarantined file could not be read or breaks its template: none of its rows is loaded. A "
        "rejected row breaks the template's rules in a loaded file. Rejected share = rejected rows / all "
        "rows.",
    )
)
if rejected.empty:
    st.success(
        t(
            "Không có tệp nào bị cách ly và không có dòng nào bị loại.",
            "No file quarantined and no row rejected.",
        )
    )
else:
    outcome = {"loaded": t("đã nạp", "loaded"), "quarantined": t("cách ly", "quarantined")}
    table = pd.DataFrame(
        {
            t("Phường", "Ward"): rejected["org_unit_name"],
            t("Mã phường", "Ward code"): rejected["org_unit_code"],
            t("Nguồn", "Source"): rejected["source_name"],
            t("Tệp đã nạp", "Files loaded"): rejected["files_loaded"].map(_n),
            t("Tệp cách ly", "Files quarantined"): rejected["files_quarantined"].map(_n),
            t("Dòng bị loại", "Rows rejected"): rejected["rows_rejected"].map(_n),
            t("Tỷ lệ loại", "Rejected share"): rejected["rejected_share"].map(_pct),
            t("Tệp gần nhất", "Latest file"): rejected["latest_file_name"].fillna("–"),
            t("Kết quả", "Outcome"): rejected["latest_file_outcome"].map(outcome).fillna("–"),
            t("Lý do", "Reason"): rejected["latest_file_reason"].fillna("–"),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    _download(rejected, "tep-cach-ly-dong-bi-loai")

# --- 3. validation rule violations ---
st.subheader(t("Vi phạm quy tắc kiểm tra", "Validation rule violations"))
st.caption(
    t(
        "Quy tắc kiểm tra kiểu DHIS2 trên số liệu tháng của từng phường, ví dụ "
        "“mũi 3 ≤ mũi 1”. Mỗi dòng là một phường, một tháng, một quy tắc không đạt; cần phường rà soát.",
        "DHIS2-style validation rules on each ward's monthly figures, e.g. “dose 3 ≤ "
        "dose 1”. Each row is a ward, month and rule that failed, for the ward to follow up.",
    )
)
if violations.empty:
    st.success(t("Không có vi phạm nào: mọi quy tắc kiểm tra đều đạt.", "No violation: every rule holds."))
else:
    severity = {"error": t("lỗi", "error"), "warning": t("cảnh báo", "warning")}
    table = pd.DataFrame(
        {
            t("Phường", "Ward"): violations["ward_name"],
            t("Tháng", "Month"): violations["period_key"],
            t("Quy tắc", "Rule"): violations["rule_id"] + " " + violations["name_en" if EN else "name_vi"],
            t("Mức độ", "Severity"): violations["severity"].map(severity).fillna(violations["severity"]),
            t("Vế trái", "Left side"): violations["left_value"].map(_value),
            t("Phép so", "Operator"): violations["operator"],
            t("Vế phải", "Right side"): violations["right_value"].map(_value),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    _download(violations, "vi-pham-quy-tac")

# --- 4. outliers ---
st.subheader(t("Giá trị bất thường", "Outliers"))
st.caption(
    t(
        "Số liệu tháng của một nguồn ở một phường lệch xa lịch sử của chính phường đó: điểm z hiệu chỉnh "
        "(theo trung vị và độ lệch tuyệt đối trung vị) vượt ngưỡng.",
        "A ward's monthly count for a source far from the ward's own history: the modified z-score "
        "(median and median absolute deviation) beyond the threshold.",
    )
)
if outliers.empty:
    st.success(t("Không có giá trị bất thường nào.", "No outlier."))
else:
    direction = {"high": t("cao bất thường", "high"), "low": t("thấp bất thường", "low")}
    table = pd.DataFrame(
        {
            t("Phường", "Ward"): outliers["ward_name"],
            t("Nguồn", "Source"): outliers["source_name"],
            t("Tháng", "Month"): outliers["period_key"],
            t("Giá trị", "Value"): outliers["value"].map(_value),
            t("Trung vị", "Median"): outliers["median"].map(_value),
            t("Điểm z hiệu chỉnh", "Modified z"): outliers["modified_z"].map(
                lambda v: f"{v:.1f}".replace(".", ",")
            ),
            t("Hướng", "Direction"): outliers["direction"].map(direction).fillna("–"),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    _download(outliers, "gia-tri-bat-thuong")

# --- 5. reconciliation counts ---
st.subheader(t("Đối chiếu trẻ em giữa các nguồn", "Cross-source reconciliation of children"))
reconciliation = quality.reconciliation_counts()
if reconciliation.empty:
    st.info(t("Chưa có kết quả đối chiếu.", "No reconciliation result yet."))
else:
    as_of = _date(reconciliation["as_of_date"].iloc[0])
    name = "check_name_en" if EN else "check_name_vi"
    checks = reconciliation.drop_duplicates("check_code").sort_values("check_sort_order")
    st.caption(
        t(
            f"Số trẻ cần rà soát theo từng phép đối chiếu, tại ngày {as_of}. ",
            f"Children listed, on {as_of}. ",
        )
        + " ".join(
            f"{r[name]}: {r['check_description_en' if EN else 'check_description_vi']}."
            for _, r in checks.iterrows()
        )
    )
    if int(reconciliation["children"].sum()) == 0:
        st.success(
            t(
                "Không có trẻ nào cần rà soát: các nguồn khớp nhau (hoặc chưa nạp sổ theo dõi trẻ em).",
                "No child to follow up: the sources agree (or no child register loaded yet).",
            )
        )
    pivot = reconciliation.pivot_table(
        index="ward_name", columns=name, values="children", aggfunc="sum", fill_value=0
    )[list(checks[name])]
    pivot.index.name = t("Phường", "Ward")
    pivot.columns.name = None
    st.dataframe(pivot.reset_index(), hide_index=True, width="stretch", height="content")
    _download(reconciliation, "doi-chieu-tre-em")

# --- 6. Great Expectations ---
st.subheader(t("Kiểm tra Great Expectations (lần chạy gần nhất)", "Great Expectations (latest run)"))
st.caption(
    t(
        "Kiểm tra kiểu dữ liệu, khoảng giá trị, giá trị cho phép, tính duy nhất và độ mới của từng nguồn. "
        "Kiểm tra “chặn” không đạt thì không xuất bản.",
        "Types, ranges, allowed values, uniqueness and freshness of each source. A failing “blocking” "
        "expectation stops the publish.",
    )
)
gx = quality.gx_results()
if gx.empty:
    st.info(
        t("Chưa có kết quả Great Expectations nào được xuất bản.", "No Great Expectations results published.")
    )
else:
    failing = gx[~gx["success"].astype(bool)]
    st.caption(
        t(
            f"Lúc {_when(gx['checked_at'].max())}: {_n(len(gx))} kỳ vọng, {_n(len(failing))} không đạt.",
            f"At {_when(gx['checked_at'].max())}: {_n(len(gx))} expectations, {_n(len(failing))} failing.",
        )
    )
    if failing.empty:
        st.success(t("Mọi kỳ vọng đều đạt.", "Every expectation holds."))
    else:
        table = pd.DataFrame(
            {
                t("Bảng", "Model"): failing["model"],
                t("Kỳ vọng", "Expectation"): failing["expectation"],
                t("Chặn xuất bản", "Blocking"): failing["blocking"].map(
                    lambda b: t("có", "yes") if b else t("không", "no")
                ),
                t("Số dòng sai", "Failing rows"): failing["unexpected_count"].map(_n),
                t("Tỷ lệ sai", "Failing share"): failing["unexpected_percent"].map(
                    lambda v: "–" if pd.isna(v) else formatting.percent(float(v) / 100)
                ),
                t("Giá trị quan sát", "Observed"): failing["observed_value"].fillna("–"),
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        _download(failing, "great-expectations-khong-dat")
