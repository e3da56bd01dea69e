"""Nhật ký truy cập: the audit log (sign-ins, looks at child-level data, exports), read-only, for data
engineers."""

import streamlit as st

from dashboard.i18n import t
from dashboard.queries import audit_trail

st.title(t("Nhật ký truy cập", "Access log"))
st.caption(
    t(
        "Mỗi lần đăng nhập, xem hoặc tải danh sách trẻ em, xuất báo cáo; chỉ ghi thêm, không sửa hay "
        "xóa được: mỗi dòng mang mã băm của dòng trước, nên sửa một dòng làm đứt chuỗi từ dòng đó.",
        "Every sign-in, look at or download of child-level data, and report export; append-only: each row "
        "carries the previous row's hash, so changing a row breaks the chain from there.",
    )
)
verdict = audit_trail.audit_verdict()
if verdict is not None and verdict.holds:
    st.success(
        t(
            f"Chuỗi mã băm nguyên vẹn: {verdict.rows} dòng; mã cuối chuỗi {verdict.head}.",
            f"The hash chain holds: {verdict.rows} rows; head hash {verdict.head}.",
        )
    )
elif verdict is not None:
    st.error(
        t(
            f"{verdict.sentence()} Mọi lần đăng nhập mới đang bị từ chối; chạy `treem audit verify`, giữ "
            'tệp làm bằng chứng, rồi `treem audit restart --reason "…"`.',
            f"The hash chain is broken at row {verdict.broken_at}: {verdict.reason}. New sign-ins are "
            "refused; run `treem audit verify`, keep the file as evidence, then "
            '`treem audit restart --reason "…"`.',
        )
    )
entries = audit_trail.audit_entries()
if entries.empty:
    st.info(t("Nhật ký chưa có mục nào.", "The log is empty."))
    st.stop()
actions = sorted(entries["action"].unique())
chosen = st.multiselect(t("Việc", "Action"), actions, default=actions)
shown = entries[entries["action"].isin(chosen)]
st.dataframe(
    shown.rename(
        columns={
            "at": t("Lúc", "At"),
            "username": t("Tài khoản", "Account"),
            "role": t("Vai trò", "Role"),
            "action": t("Việc", "Action"),
            "ward_code": t("Phường", "Ward"),
            "detail": t("Chi tiết", "Detail"),
            "client": t("Địa chỉ máy", "Address"),
        }
    ),
    hide_index=True,
    width="stretch",
)
