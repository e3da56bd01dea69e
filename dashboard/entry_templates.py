"""The 'Mẫu nhập liệu' section of the reports page: any signed-in viewer picks a source, a period and
(for a ward office's source) a ward, and downloads the blank Excel template of ``ingestion/template.py``
(no data in it: nothing is logged)."""

from __future__ import annotations

import streamlit as st

from base.clock import local_now
from dashboard import auth, downloads
from dashboard.i18n import t
from ingestion.contract import load_contracts
from ingestion.template import template_bytes
from ingestion.template_request import period_line, template_file_name, template_periods, wards_in_force

NO_WARD = ""
BLANK_WARD = "Để trống: đơn vị chọn phường trong tệp"
BLANK_WARD_EN = "Blank: the office picks its ward in the file"


def section() -> None:
    st.subheader(t("Mẫu nhập liệu", "Data entry templates"))
    st.markdown(
        t(
            "Bảng tính Excel trống để các đơn vị điền và gửi: phần đầu ghi đơn vị và kỳ báo cáo, dòng tiêu "
            "đề cột đúng mẫu, danh sách thả xuống cho phường, giới tính, vắc xin và các giá trị được chọn, "
            "trang hướng dẫn (ý nghĩa từng cột, cột bắt buộc, hạn gửi). Tệp điền đúng mẫu luôn được nhận.",
            "A blank Excel workbook for offices to fill in and send: the office and period in its heading, "
            "the header row as the contract names it, drop-down lists for wards, sex, vaccines and choices, "
            "and an instruction sheet (each column, the required ones, the deadline). A template filled in "
            "as laid out is always accepted.",
        )
    )
    contracts = load_contracts()
    source = st.selectbox(
        t("Nguồn dữ liệu", "Source"),
        sorted(contracts, key=lambda s: contracts[s].name_vi),
        format_func=lambda s: f"{contracts[s].name_vi} ({contracts[s].sender_vi})",
        key="template_source",
    )
    contract = contracts[source]
    periods = {p.key: p for p in template_periods(contract, local_now().date())}
    period = periods[
        st.selectbox(
            t("Kỳ số liệu", "Data period"),
            list(periods),
            format_func=lambda key: period_line(periods[key]),
            key=f"template_period_{source}",
        )
    ]
    ward_code = None
    if contract.ward_scope == "ward":
        wards = dict(wards_in_force(period))
        viewer = auth.current_viewer()
        own = viewer.ward_code if viewer is not None and viewer.ward_code in wards else NO_WARD
        options = [own] if own else [NO_WARD, *wards]  # a ward's officer sees no other ward
        ward_code = (
            st.selectbox(
                t("Phường", "Ward"),
                options,
                index=options.index(own),
                format_func=lambda code: wards.get(code) or t(BLANK_WARD, BLANK_WARD_EN),
                key="template_ward",
            )
            or None
        )
    else:
        st.caption(
            t("Một tệp cho toàn quận: phường ghi ở từng dòng.", "One file for the district, a ward per row.")
        )
    file_name = template_file_name(contract, ward_code, period)
    st.caption(
        t(
            f"Số liệu từ {period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y}; tệp {file_name}",
            f"Data from {period.start:%d/%m/%Y} to {period.end:%d/%m/%Y}; file {file_name}",
        )
    )
    downloads.download(
        lambda: template_bytes(contract, period, ward_code),
        file_name,
        "template_download",
        label=("Tải mẫu nhập liệu (Excel)", "Download the template (Excel)"),
    )
