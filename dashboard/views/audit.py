"""Nhật ký truy cập: the audit log (sign-ins, looks at child-level data, exports), read-only, for data
engineers."""

import streamlit as st

from dashboard import queries
from dashboard.i18n import t

st.title(t("Nhật ký truy cập", "Access log"))
st.caption(
    t(
        "Mỗi lần đăng nhập, xem hoặc tải danh sách trẻ em, xuất báo cáo; chỉ ghi thêm, không sửa hay "
        "xóa được.",
        "Every sign-in, look at or download of child-level data, and report export; append-only.",
    )
)
entries = queries.audit_entries()
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
        }
    ),
    hide_index=True,
    width="stretch",
)
