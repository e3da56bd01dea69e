"""Danh sách cần hỗ trợ: the children of the ward officer's own ward who still need something (no valid
BHYT card, birth not registered, overdue dose, HCĐB child without support), from the restricted
serving file only. Every look at a ward's list and every download is written to the audit log."""

import pandas as pd
import streamlit as st

from access import audit
from dashboard import downloads, formatting, page
from dashboard.i18n import lang, t
from dashboard.queries import audit_trail, lists, serving

EN = lang() == "en"

st.title(t("Danh sách cần hỗ trợ", "Children to follow up"))

st.warning(
    t(
        "Dữ liệu cá nhân của trẻ em (Luật Trẻ em 2016; Nghị định 13/2023 về dữ liệu cá nhân nhạy cảm): "
        "chỉ dùng để hỗ trợ trẻ, không chia sẻ. Mỗi lần xem và tải danh sách đều được ghi vào nhật ký.",
        "Children's personal data (Law on Children 2016; Decree 13/2023 on sensitive personal data): use it "
        "only to support the children, do not share it. Every view and download is logged.",
    )
)

if lists.restricted_version() is None:
    st.info(
        t(
            "Chưa có danh sách: tệp phục vụ riêng (serving_restricted.duckdb) chưa được xuất bản. "
            "Hãy chạy `treem run`.",
            "No lists yet: the restricted serving file (serving_restricted.duckdb) has not been published. "
            "Run `treem run`.",
        )
    )
    st.stop()

listed = page.lists(lists.restricted_wards)
wards = serving.current_wards()
counts = dict(zip(listed["ward_code"], listed["children"], strict=True)) if not listed.empty else {}
names = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))


def _ward_label(code: str) -> str:
    return f"{names.get(code, code)} ({formatting.number(counts.get(code, 0))} " + t("trẻ", "children") + ")"


ward_code = st.selectbox(t("Phường", "Ward"), list(wards["ward_code"]), format_func=_ward_label, key="ward")
children = page.lists(lists.child_list, ward_code)
ward_name = names.get(ward_code, ward_code)
audit_trail.log_once(audit.VIEW_CHILD_LIST, ward_code, f"{len(children)} dòng")
if children.empty:
    st.success(
        t(
            f"Không có trẻ nào của phường {ward_name} cần hỗ trợ theo các phép đối chiếu.",
            f"No child of {ward_name} needs follow-up by the reconciliation checks.",
        )
    )
    st.stop()

as_of = pd.Timestamp(children["as_of_date"].iloc[0]).strftime("%d/%m/%Y")
listed_children = formatting.number(children["member_key"].nunique())
st.caption(
    t(
        f"Tại ngày {as_of}: {listed_children} trẻ cần hỗ trợ ở phường {ward_name}.",
        f"On {as_of}: {listed_children} children of {ward_name} to follow up.",
    )
)

checks = lists.reconciliation_check_names()
if checks.empty:
    checks = pd.DataFrame({"check_code": sorted(children["check_code"].unique())}).assign(
        name_vi=lambda f: f["check_code"],
        name_en=lambda f: f["check_code"],
        description_vi="",
        description_en="",
    )


def _date(value: object) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


def _count(value: object) -> str:
    return "" if value is None or pd.isna(value) else formatting.number(value)


COLUMNS = {  # column → (Vietnamese, English, formatter)
    "child_name": ("Họ tên", "Name", str),
    "birth_date": ("Ngày sinh", "Birth date", _date),
    "sex": ("Giới", "Sex", lambda s: {"M": t("Nam", "M"), "F": t("Nữ", "F")}.get(s, s or "")),
    "mother_name": ("Họ tên mẹ", "Mother", str),
    "age_months": ("Tháng tuổi", "Age (months)", _count),
    "registration_date": ("Ngày đăng ký khai sinh", "Registered on", _date),
    "card_valid_to": ("Thẻ BHYT hết hạn", "Card valid to", _date),
    "vaccine_code": ("Vắc xin", "Vaccine", str),
    "dose_number": ("Mũi", "Dose", _count),
    "due_date": ("Hạn tiêm", "Due", _date),
    "days_overdue": ("Số ngày quá hạn", "Days overdue", _count),
    "last_support_date": ("Lần hỗ trợ gần nhất", "Last support", _date),
}

for check in checks.itertuples():
    rows = children[children["check_code"] == check.check_code]
    title = check.name_en if EN else check.name_vi
    st.subheader(f"{title} ({formatting.number(rows['member_key'].nunique())})")
    description = check.description_en if EN else check.description_vi
    if description:
        st.caption(description)
    if rows.empty:
        st.success(t("Không có trẻ nào.", "No child."))
        continue
    shown = [c for c in COLUMNS if c in rows.columns and rows[c].notna().any()]
    table = pd.DataFrame(
        {
            (COLUMNS[c][1] if EN else COLUMNS[c][0]): rows[c].map(
                lambda v, f=COLUMNS[c][2]: (
                    "" if v is None or (not isinstance(v, str) and pd.isna(v)) else f(v)
                )
            )
            for c in shown
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    file_name = f"can-ho-tro-{ward_code}-{check.check_code}.csv"
    downloads.download(
        rows.drop(columns=["member_key"]),
        file_name,
        f"dl_{check.check_code}",
        label=downloads.LIST_LABEL,
        logged=(audit.DOWNLOAD_CHILD_LIST, ward_code, file_name),
    )
