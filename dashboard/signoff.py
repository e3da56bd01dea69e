"""The report page's sign-off section: whether the period's figures are approved (each ward, the
district), what changed since, and, for the ward officer and the district leader, the approval itself
(docs/reports.md#sign-off)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access.roles import Role, Viewer
from base.home import Home, home_from_env
from dashboard import auth, formatting
from dashboard.i18n import t
from dashboard.queries import signoff as signoff_queries
from reports import signoff
from reports.signoff import PeriodFigures, SignoffError
from serving.contract import DISTRICT_CODE
from signoff import ledger
from signoff.ledger import Approval


def _when(approval: Approval) -> str:
    return f"{formatting.date(approval.approved_at.date())} {approval.approved_at:%H:%M}"


def approved_text(approval: Approval) -> str:
    return t(
        f"Đã phê duyệt ngày {_when(approval)}, bởi {approval.name} (mã {approval.approval_id})",
        f"Approved on {_when(approval)} by {approval.name} (id {approval.approval_id})",
    )


def _figures_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's numerator, denominator and value in Vietnamese formats, as the pages print them
    (a hidden count as its mark, a negative value as '–')."""

    def count(value: object, mark: object) -> str:
        return mark if isinstance(mark, str) else formatting.number(None if pd.isna(value) else value)

    return pd.DataFrame(
        {
            t("Chỉ tiêu", "Indicator"): rows["name_vi" if t("vi", "en") == "vi" else "name_en"],
            t("Tử số", "Numerator"): [
                count(v, m) for v, m in zip(rows["numerator"], rows["numerator_mark"], strict=True)
            ],
            t("Mẫu số", "Denominator"): [
                count(v, m) for v, m in zip(rows["denominator"], rows["denominator_mark"], strict=True)
            ],
            t("Tỷ lệ / số ca", "Rate / count"): [
                formatting.indicator_value(None if pd.isna(v) else v, u, m)
                for v, u, m in zip(rows["value"], rows["unit"], rows["value_mark"], strict=True)
            ],
        }
    )


def _approves(viewer: Viewer, ward_code: str | None) -> bool:
    """On the dashboard, the ward officer and the district leader; a data engineer approves from the
    command line (``treem approve``), where the act is the engineer's own."""
    return viewer.role != Role.DATA_ENGINEER and signoff.may_approve(viewer, ward_code)


def _changes_table(
    home: Home,
    approval: Approval,
    figures: PeriodFigures,
    edition: str,
    viewer: Viewer,
    heading: tuple[str, str] | None = None,
) -> int:
    """The approved and the current figures side by side, with the files loaded since (under
    ``heading``), when they differ; the number of figures changed."""
    if not signoff.differs(home, approval, edition, figures.hashes[edition]):
        return 0  # as approved
    approved = signoff.approved_data(home, approval, edition)
    if heading:
        st.warning(t(*heading))
    rows = signoff.changes(approved, figures.editions[edition], viewer.sees_small_counts)
    if rows:
        st.dataframe(
            pd.DataFrame(rows)[
                ["org_unit_name", "measure", "approved", "current", "indicator", "files"]
            ].rename(
                columns={
                    "org_unit_name": t("Đơn vị", "Unit"),
                    "indicator": t("Chỉ tiêu", "Indicator"),
                    "measure": t("Số liệu", "Figure"),
                    "approved": t("Đã phê duyệt", "Approved"),
                    "current": t("Hiện nay", "Now"),
                    "files": t("Tệp nhận sau phê duyệt", "Files loaded since"),
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption(
            t(
                "Bộ chỉ tiêu không đổi; thay đổi ở các bảng khác của báo cáo (tiêm chủng, tình hình gửi "
                "số liệu…).",
                "No indicator changed; the change is in the report's other tables (doses, submissions…).",
            )
        )
    return len(rows)


def _approve_form(
    home: Home, viewer: Viewer, key: str, ward_code: str | None, seen: str, waiting: list
) -> None:
    with st.form(f"approve_{key}_{ward_code or DISTRICT_CODE}"):
        reason = ""
        if waiting:
            reason = st.text_area(
                t(
                    "Lý do phê duyệt không chờ các phường trên (bắt buộc)",
                    "Why approve without those wards (required)",
                )
            )
        seen_all = st.checkbox(
            t(
                "Tôi đã xem số liệu và các cảnh báo chất lượng dữ liệu của kỳ này.",
                "I have looked at this period's figures and data-quality warnings.",
            )
        )
        label = (
            t("Phê duyệt bản toàn quận", "Approve the district edition")
            if ward_code is None
            else t("Phê duyệt số liệu của phường", "Approve the ward's figures")
        )
        if st.form_submit_button(label, type="primary"):
            if not seen_all:
                st.error(t("Hãy xác nhận đã xem số liệu trước khi phê duyệt.", "Confirm you looked first."))
                return
            try:
                done = signoff.approve(home, viewer, key, ward_code, seen, reason, auth.client_address())
            except SignoffError as error:
                st.error(str(error))
                return
            st.session_state["signoff_done"] = approved_text(done)
            st.rerun()


def _withdraw_form(home: Home, viewer: Viewer, approval: Approval) -> None:
    with st.expander(t("Huỷ phê duyệt", "Withdraw the approval")):
        with st.form(f"withdraw_{approval.approval_id}"):
            reason = st.text_input(t("Lý do (bắt buộc)", "Reason (required)"))
            if st.form_submit_button(t("Huỷ phê duyệt", "Withdraw")):
                try:
                    signoff.withdraw(home, viewer, approval.approval_id, reason, auth.client_address())
                except SignoffError as error:
                    st.error(str(error))
                    return
                st.rerun()


def _ward_part(
    home: Home, viewer: Viewer, key: str, figures: PeriodFigures, forced: dict[str, Approval]
) -> None:
    """A ward's reader: the ward's approval, its figures and warnings, the changes since."""
    code = viewer.ward_code
    mine, district = forced.get(code), forced.get(DISTRICT_CODE)
    current = figures.hash_of(code)
    if mine is not None and mine.figures_hash == current:
        st.success(t("Số liệu của phường: ", "The ward's figures: ") + approved_text(mine))
    elif mine is not None:
        st.warning(
            t(
                f"Số liệu của phường đã thay đổi sau phê duyệt {mine.approval_id} ({_when(mine)}): cần phê "
                "duyệt lại.",
                f"The ward's figures changed after approval {mine.approval_id} ({_when(mine)}): approve "
                "again.",
            )
        )
        _changes_table(home, mine, figures, code, viewer)
    else:
        st.info(t("Số liệu của phường chưa được phê duyệt.", "The ward's figures are not approved yet."))
    if district is not None and mine is None:
        _changes_table(
            home,
            district,
            figures,
            code,
            viewer,
            (
                f"Số liệu của phường đã thay đổi sau khi quận phê duyệt ({_when(district)}):",
                f"The ward's figures changed after the district approved ({_when(district)}):",
            ),
        )
    if not _approves(viewer, code):
        return
    if mine is None or mine.figures_hash != current:
        st.markdown(t("**Số liệu của phường trong kỳ**", "**The ward's figures for the period**"))
        st.dataframe(
            _figures_table(signoff_queries.ward_figures(key, code)),
            hide_index=True,
            width="stretch",
            height=36 * 13 + 3,
        )
        warnings = signoff_queries.ward_warnings(key, code)
        if warnings.empty:
            st.caption(
                t("Không có cảnh báo chất lượng dữ liệu trong kỳ.", "No data-quality warning in the period.")
            )
        else:
            st.warning(
                t(
                    f"{len(warnings)} cảnh báo chất lượng dữ liệu trong kỳ (xem bảng; sửa tệp trước nếu "
                    "cần):",
                    f"{len(warnings)} data-quality warnings in the period (see the table; fix files first "
                    "if need be):",
                )
            )
            st.dataframe(
                warnings.drop(columns=["name_en" if t("vi", "en") == "vi" else "name_vi"]).rename(
                    columns={
                        "period_key": t("Tháng", "Month"),
                        "name_vi": "Quy tắc",
                        "name_en": "Rule",
                        "severity": t("Mức", "Severity"),
                        "left_value": t("Vế trái", "Left side"),
                        "operator": t("So sánh", "Operator"),
                        "right_value": t("Vế phải", "Right side"),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        _approve_form(home, viewer, key, code, current, [])
    if mine is not None:
        _withdraw_form(home, viewer, mine)


def _district_part(
    home: Home, viewer: Viewer, key: str, figures: PeriodFigures, forced: dict[str, Approval]
) -> None:
    """The district's reader: every ward's approval, the district's, the changes since."""
    waiting = signoff.wards_waiting(forced, figures)
    rows = []
    for code, name in figures.wards.items():
        mine = forced.get(code)
        if mine is None:
            state = t("Chưa phê duyệt", "Not approved")
        elif mine.figures_hash != figures.hash_of(code):
            state = t(f"Số liệu đã đổi sau phê duyệt {mine.approval_id}", f"Changed since {mine.approval_id}")
        else:
            state = approved_text(mine)
        rows.append((mine is not None and mine.figures_hash == figures.hash_of(code), name, state))
    st.dataframe(
        pd.DataFrame(
            [
                {t("Phường", "Ward"): name, t("Phê duyệt", "Approval"): state}
                for _, name, state in sorted(rows, key=lambda row: row[0])
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    district = forced.get(DISTRICT_CODE)
    stale = district is not None and district.figures_hash != figures.hash_of(None)
    if stale:
        st.warning(
            t(
                f"Số liệu đã thay đổi sau khi quận phê duyệt ({_when(district)}): bản đã phê duyệt giữ "
                "nguyên, "
                "bản điều chỉnh dưới đây có số liệu hiện nay; cần phê duyệt lại.",
                f"Figures changed after the district approved ({_when(district)}): the approved edition "
                "stays as "
                "it was, the amended edition below has today's figures; approve again.",
            )
        )
        _changes_table(home, district, figures, DISTRICT_CODE, viewer)
    if _approves(viewer, None) and (district is None or stale):
        if waiting:
            st.info(
                t(
                    f"{len(waiting)} phường chưa phê duyệt số liệu hiện nay: chờ các phường, hoặc ghi lý do.",
                    f"{len(waiting)} wards have not approved today's figures: wait for them, or give a "
                    "reason.",
                )
            )
        _approve_form(home, viewer, key, None, figures.hash_of(None), list(waiting))
    if district is not None and _approves(viewer, None):
        _withdraw_form(home, viewer, district)


def section(period: dict) -> None:
    viewer = auth.current_viewer()
    if viewer is None:
        return
    home, key = home_from_env(), period["period_key"]
    st.subheader(t("Phê duyệt số liệu", "Sign-off"))
    if done := st.session_state.pop("signoff_done", None):
        st.success(done)
    forced = ledger.in_force(home.root, key)
    district = forced.get(DISTRICT_CODE)
    if district is not None:
        st.markdown(t("Bản toàn quận: ", "District edition: ") + approved_text(district))
        if district.override_reason:
            st.caption(
                t("Phê duyệt không chờ các phường, lý do: ", "Approved without every ward, because: ")
                + district.override_reason
            )
    else:
        st.markdown(t("Bản toàn quận chưa được phê duyệt.", "The district edition is not approved yet."))
    own_ward = viewer.ward_code if viewer.role in (Role.WARD_OFFICER, Role.PROTECTION_OFFICER) else None
    figures = signoff_queries.period_figures(key, own_ward)
    if own_ward:
        _ward_part(home, viewer, key, figures, forced)
    else:
        _district_part(home, viewer, key, figures, forced)
    if viewer.role not in (Role.WARD_OFFICER, Role.DISTRICT_LEADER):
        st.caption(
            t(
                "Cán bộ phường phê duyệt số liệu của phường, lãnh đạo quận phê duyệt bản toàn quận; kỹ sư dữ "
                "liệu dùng lệnh `treem approve`.",
                "Ward officers approve their ward's figures, the district leader the district edition; data "
                "engineers use `treem approve`.",
            )
        )
