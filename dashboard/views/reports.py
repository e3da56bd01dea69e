"""Báo cáo định kỳ: the plan's report workbooks (Excel) for any report period, district or one ward; below
them, for every viewer (even one that exports no report, even before a period is covered), the blank
data-entry templates (dashboard/entry_templates.py)."""

import streamlit as st

from access import audit
from dashboard import downloads, entry_templates, formatting, page
from dashboard import signoff as signoff_section
from dashboard.i18n import lang, t
from dashboard.queries import editions as editions_queries
from dashboard.queries import serving
from reports.build import report_file_name
from serving.contract import DISTRICT_CODE as DISTRICT

english = lang() == "en"
page.header("Báo cáo định kỳ", "Periodic reports")


def stop_reports() -> None:
    """No report here for this viewer: the templates still follow, then the page stops."""
    entry_templates.section()
    st.stop()


periods = editions_queries.report_periods()
if periods.empty:
    st.info(
        t(
            "Chưa kỳ báo cáo nào có đủ số liệu: số liệu đã nạp chưa phủ hết kỳ đầu tiên của lịch báo cáo "
            "(Bộ chỉ tiêu 6 tháng, đến 30/4).",
            "No report period is covered by the data yet: the loaded extracts do not reach the end of the "
            "calendar's first report period (6-month indicator set, to 30 April).",
        )
    )
    stop_reports()

st.markdown(
    t(
        "Bảng tính Excel theo mẫu phụ lục báo cáo, lập từ kho dữ liệu: bộ chỉ tiêu theo phường có dòng "
        "toàn quận, tiêm chủng và vitamin A, khai sinh và BHYT, trẻ em có hoàn cảnh đặc biệt theo 14 "
        "nhóm, xâm hại và tai nạn thương tích, tình hình gửi số liệu, ghi chú định nghĩa. Bản toàn quận "
        "ẩn các số nhỏ hơn 5 về bảo vệ trẻ em; bản của phường chỉ có số liệu của phường đó.",
        "An Excel workbook laid out as the report's annexes, made from the warehouse: the indicator set "
        "per ward with the district total, immunisation and vitamin A, registration and insurance, "
        "children in special circumstances by the 14 groups, abuse and injuries, reporting completeness, "
        "and definitions. The district edition hides protection counts below 5; a ward's edition holds "
        "only that ward's data.",
    )
)
records = {p["period_key"]: p for p in periods.to_dict("records")}
period = records[
    st.selectbox(
        t("Kỳ báo cáo", "Report period"),
        list(records),
        format_func=lambda key: (
            f"{records[key]['label_en'] if english else records[key]['label_vi']} · "
            + t(
                f"hạn {formatting.date(records[key]['deadline'])}",
                f"due {formatting.date(records[key]['deadline'])}",
            )
        ),
    )
]
signoff_section.section(period)
if not editions_queries.report_editions():
    st.info(
        t(
            "Tài khoản này không xuất báo cáo từ bảng điều khiển: bản của phường ghi đầy đủ số nhỏ về bảo "
            "vệ trẻ em, bản toàn quận có số liệu các phường khác. Báo cáo của phường do kỹ sư dữ liệu lập "
            "bằng `treem report --ward`.",
            "This account exports no report from the dashboard: a ward's edition shows its small "
            "protection counts in full and the district's edition holds the other wards. The district's "
            "data engineer makes a ward's report with `treem report --ward`.",
        )
    )
    stop_reports()
wards = dict(serving.current_wards().itertuples(index=False, name=None))
editions = {
    code or DISTRICT: t(f"Phường {wards.get(code, code)}", wards.get(code, code))
    if code
    else t("Toàn quận", "Whole district")
    for code in editions_queries.report_editions()
}
st.subheader(t("Tải báo cáo", "Download"))
chosen = st.selectbox(t("Bản", "Edition"), list(editions), format_func=editions.get)
ward_code = None if chosen == DISTRICT else chosen
ward_name = wards.get(ward_code)
file_name = report_file_name(period["period_key"], ward_code, ward_name)
st.caption(
    t(
        f"Số liệu từ {formatting.date(period['period_start'])} đến "
        f"{formatting.date(period['period_end'])}; tệp {file_name}",
        f"Data from {formatting.date(period['period_start'])} to {formatting.date(period['period_end'])}; "
        f"file {file_name}",
    )
)


def frozen_download(approval, key: str, primary: bool) -> None:
    downloads.download(
        editions_queries.frozen_workbook(approval, ward_code),
        file_name,
        key,
        label=("Tải bản đã phê duyệt (Excel)", "Download the approved edition (Excel)"),
        logged=(audit.EXPORT_REPORT, ward_code, f"{period['period_key']} {approval.approval_id}"),
        primary=primary,
    )
    st.caption(signoff_section.approved_text(approval))


approved, earlier = editions_queries.frozen_editions(period["period_key"])
if approved is not None:
    frozen_download(approved, "frozen_download", True)
amended = editions_queries.is_amended(period["period_key"], ward_code)
downloads.download(
    editions_queries.report_workbook(period["period_key"], ward_code),
    file_name,
    "report_download",
    label=("Tải bản điều chỉnh (Excel)", "Download the amended edition (Excel)")
    if amended
    else ("Tải báo cáo (Excel)", "Download the report (Excel)"),
    logged=(audit.EXPORT_REPORT, ward_code, period["period_key"]),
    primary=approved is None,
)
if amended:
    st.caption(
        t(
            "Bản điều chỉnh: số liệu hiện nay, có trang PL0 liệt kê từng số liệu đã đổi so với bản đã phê "
            "duyệt.",
            "Amended edition: today's figures, with a PL0 sheet listing each figure changed since approval.",
        )
    )
if earlier:
    with st.expander(
        t(f"Các bản đã phê duyệt trước ({len(earlier)})", f"Earlier approved editions ({len(earlier)})")
    ):
        for approval in earlier:
            frozen_download(approval, f"frozen_{approval.approval_id}", False)
            if approval.withdrawn_at:
                st.caption(
                    t(
                        f"Đã huỷ phê duyệt ngày {formatting.date(approval.withdrawn_at.date())}: "
                        f"{approval.withdraw_reason}",
                        f"Withdrawn on {formatting.date(approval.withdrawn_at.date())}: "
                        f"{approval.withdraw_reason}",
                    )
                )
entry_templates.section()
