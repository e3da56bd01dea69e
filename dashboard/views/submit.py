"""Nộp báo cáo: an office checks its file against its source's contract before sending it (nothing is
loaded), sends it into the inbox from the browser, and follows each file it sent. Every check and send
is in the audit log; an account may check and send a limited number of files an hour."""

from __future__ import annotations

import datetime as dt
import json
import os

import pandas as pd
import streamlit as st

from access import audit
from base.clock import local_now
from base.home import home_from_env
from dashboard import auth, downloads, formatting
from dashboard.i18n import t
from dashboard.queries.quality import own_submissions
from ingestion import submission
from ingestion.contract import load_contracts
from ingestion.dry_run import DryRun
from ingestion.formats import CSV_SUFFIXES, SPREADSHEET_SUFFIXES
from ingestion.lookups import load_lookups
from ingestion.receipt import REJECTS_LISTED
from ingestion.safety import MB, limits_from_env
from ingestion.template import template_bytes
from ingestion.template_request import next_owed, template_file_name, template_periods

STATES = {
    submission.WAITING: ("Đang chờ nạp (lần chạy tới)", "Waiting for the next run"),
    submission.LOADED: ("Đã nạp", "Loaded"),
    submission.QUARANTINED: ("Bị cách ly", "Set aside"),
    submission.HELD: ("Giữ lại chờ kỹ sư dữ liệu xác nhận", "Held for a data engineer"),
    submission.SUPERSEDED: ("Đã được thay bằng tệp gửi sau", "Replaced by a later file"),
}
OWED = {  # an owed period's status, as the quality page names them
    "on_time": ("Đã gửi đúng hạn", "Sent on time"),
    "late": ("Gửi muộn", "Sent late"),
    "pending": ("Chưa đến hạn", "Not yet due"),
    "missing": ("Chưa gửi, đã quá hạn", "Missing, past the deadline"),
}
RECEIPTS_SHOWN = 10  # the receipts of the latest files sent, beside the table


def uploads_per_hour() -> int:
    return int(os.environ.get("TREEM_UPLOADS_PER_HOUR", "30"))


def _over_limit(home_root, username: str) -> bool:
    since = local_now() - dt.timedelta(hours=1)
    done = audit.entries_of(home_root, username, (audit.CHECK_EXTRACT, audit.SEND_EXTRACT), since)
    return len(done) >= uploads_per_hour()


def _show(checked: DryRun, own_ward: str | None) -> bool:
    """The check as the clerk reads it; False when the file is another ward's (it cannot be sent)."""
    period = checked.period.key if checked.period else t("không xác định được", "not found")
    ward = checked.ward_name or (
        t("toàn quận", "the district") if checked.would_load else t("không rõ", "unknown")
    )
    st.markdown(t(f"**Hiểu là:** kỳ {period}, {ward}", f"**Read as:** period {period}, {ward}"))
    wards = load_lookups()["ward"]
    if own_ward and checked.ward_code and wards.current(checked.ward_code) != own_ward:
        st.error(
            t(
                f"Tệp ghi phường {checked.ward_name}, còn tài khoản này gửi số liệu của phường "
                f"{wards.display_name(own_ward)}: hãy kiểm tra lại tệp.",
                f"The file is for ward {checked.ward_name}, this account sends ward "
                f"{wards.display_name(own_ward)}'s: check the file.",
            )
        )
        return False
    if not checked.would_load:
        st.error(
            t(
                f"Cả tệp sẽ bị cách ly: {checked.problem}",
                f"The whole file would be set aside: {checked.problem}",
            )
        )
    elif checked.clean:
        st.success(
            t(
                f"Tệp đạt: {formatting.number(checked.rows_loaded)} dòng sẽ được nạp "
                f"(trang '{checked.sheet}', dòng tiêu đề {checked.header_row}).",
                f"The file passes: {formatting.number(checked.rows_loaded)} rows would load "
                f"(sheet '{checked.sheet}', header row {checked.header_row}).",
            )
        )
    else:
        st.warning(
            t(
                f"{formatting.number(checked.rows_loaded)} dòng sẽ được nạp, "
                f"{formatting.number(checked.rows_rejected)} dòng bị loại "
                "(xem bảng dưới; sửa rồi kiểm tra lại).",
                f"{formatting.number(checked.rows_loaded)} rows would load, "
                f"{formatting.number(checked.rows_rejected)} rows rejected (see below; fix and check again).",
            )
        )
        rejects = pd.DataFrame(
            [(r.row_number, r.column, r.value, r.reason) for r in checked.rejects],
            columns=[t("Dòng", "Row"), t("Cột", "Column"), t("Giá trị", "Value"), t("Lý do", "Reason")],
        ).set_index(t("Dòng", "Row"))
        if len(rejects) <= REJECTS_LISTED:
            st.table(rejects)  # the reasons wrap, on a phone too
        else:
            st.dataframe(rejects, width="stretch")
    if checked.hint:
        st.info(checked.hint)
    return True


def _owed(contract) -> None:
    """The next deadline, and each period owed with its status (as the quality page counts it)."""
    st.subheader(t("Các kỳ phải gửi", "What is owed"))
    owed = own_submissions()
    received = set() if owed.empty else set(owed.loc[owed["status"].isin(["on_time", "late"]), "period_key"])
    upcoming = next_owed(contract, local_now().date(), received)
    if upcoming is not None:
        period, due = upcoming
        st.info(
            t(
                f"Hạn gửi tới: kỳ {period.key}, trước hết ngày {formatting.date(due)}.",
                f"Next deadline: period {period.key}, by the end of {formatting.date(due)}.",
            )
        )
    if owed.empty:
        st.caption(t("Chưa có số liệu tổng hợp về các kỳ đã gửi.", "No reporting record published yet."))
        return
    rows = [
        (
            r.period_key,
            formatting.date(r.deadline),
            t(*OWED[r.status])
            + (t(f" ({r.days_late} ngày)", f" ({r.days_late} days)") if r.status == "late" else ""),
            formatting.datetime(r.first_submitted_at) if pd.notna(r.first_submitted_at) else "",
        )
        for r in owed.head(12).itertuples()
    ]
    columns = [t("Kỳ", "Period"), t("Hạn gửi", "Deadline"), t("Tình trạng", "Status")]
    columns.append(t("Gửi lần đầu lúc", "First sent at"))
    st.table(pd.DataFrame(rows, columns=columns).set_index(columns[0]))


def _replacing(home, contract, checked: DryRun, content: bytes) -> None:
    """What the file would do to the one already in force for its period."""
    found = submission.replacing(home, contract, checked, submission.file_id(content))
    if found is not None:
        kind, text = found
        (st.warning if kind == "held" else st.info)(text)


def _rows(where: submission.Standing) -> tuple[str, str]:
    if where.state not in (submission.LOADED, submission.SUPERSEDED):
        return where.reason or "", where.reason or ""
    loaded, rejected = formatting.number(where.rows_loaded), formatting.number(where.rows_rejected)
    return f"{loaded} dòng, {rejected} bị loại", f"{loaded} rows, {rejected} rejected"


def _sent_table(home, viewer) -> None:
    st.subheader(t("Các tệp đã gửi", "Files sent"))
    sent = audit.entries_of(home.root, viewer.username, (audit.SEND_EXTRACT,))
    if not sent:
        st.caption(t("Chưa gửi tệp nào từ trang này.", "No file sent from this page yet."))
        return
    rows, receipts = [], []
    for entry in sent:
        detail = json.loads(entry.detail)
        where = submission.standing(home, viewer.source, detail["file_id"])
        said = _rows(where)
        state = STATES[where.state]
        rows.append(
            (formatting.datetime(entry.at), detail["file_name"], where.period or "", t(*state), t(*said))
        )
        if where.receipt is not None and len(receipts) < RECEIPTS_SHOWN:
            receipts.append((detail["file_name"], entry.at, where.receipt))
    columns = [t("Gửi lúc", "Sent at"), t("Tệp", "File"), t("Kỳ", "Period"), t("Trạng thái", "State")]
    columns.append(t("Số dòng / lý do", "Rows / reason"))
    st.table(pd.DataFrame(rows, columns=columns).set_index(columns[0]))  # text a screen reader reads
    for name, at, receipt in receipts:
        with st.expander(t(f"Biên nhận: {name} (gửi {formatting.datetime(at)})", f"Receipt: {name}")):
            st.code(receipt.read_text(encoding="utf-8"), language=None)


def _refuse_over_limit(home, viewer) -> None:
    if _over_limit(home.root, viewer.username):
        hourly = uploads_per_hour()
        st.error(
            t(
                f"Tài khoản đã kiểm tra và gửi {hourly} tệp trong một giờ qua: hãy thử lại sau.",
                f"This account checked and sent {hourly} files in the past hour: try again later.",
            )
        )
        st.stop()


def _log(home, viewer, action: str, **fields: object) -> None:
    detail = json.dumps({"source": viewer.source, **fields}, ensure_ascii=False)
    audit.record(home.root, viewer.username, action, viewer.role.value, viewer.ward_code, detail)


def _checked(home, viewer, contract, name: str, content: bytes) -> DryRun:
    """The file's check, once per file and session (a page reruns at every click)."""
    key = (
        viewer.username,
        submission.file_id(content),
    )  # a shared computer: another account's check is not this one's
    checks = st.session_state.setdefault("submit_checks", {})
    if key not in checks:
        _refuse_over_limit(home, viewer)
        try:
            checks[key] = submission.check_upload(home, contract, name, content)
        except submission.NotSendable as error:
            st.error(str(error))
            st.stop()
        _log(
            home,
            viewer,
            audit.CHECK_EXTRACT,
            file_id=key[1],
            file_name=submission.sent_name(name),
            verdict=checks[key].verdict,
        )
    return checks[key]


def _send_button(home, viewer, name: str, content: bytes, checked: DryRun) -> None:
    if checked.clean:
        label = t("Gửi tệp", "Send the file")
    elif checked.would_load:
        label = t("Gửi dù có dòng bị loại", "Send with the rejected rows")
    else:
        label = t("Gửi dù tệp sẽ bị cách ly", "Send although it would be set aside")
    key = (viewer.username, submission.file_id(content))
    sent = st.session_state.setdefault("submit_sent", {})
    if key not in sent:
        slot = st.empty()
        if not slot.button(label, type="primary" if checked.clean else "secondary", key=f"send_{key[1]}"):
            return
        slot.empty()  # sent once: the same file is not offered again
        _refuse_over_limit(home, viewer)
        _deliver(home, viewer, name, content, checked)
    st.success(
        t(
            f"Đã gửi lúc {formatting.datetime(sent[key])}: tệp được nạp ở lần chạy tới.",
            f"Sent at {formatting.datetime(sent[key])}: the file loads at the next run.",
        )
    )


def _deliver(home, viewer, name: str, content: bytes, checked: DryRun) -> None:
    """Send the file into the inbox, note it as sent in the session, then log it."""
    now = local_now()
    stored = submission.deliver(home, viewer.source, name, content, now)
    st.session_state["submit_sent"][(viewer.username, submission.file_id(content))] = (
        now  # sent, logged or not
    )
    _log(
        home,
        viewer,
        audit.SEND_EXTRACT,
        file_id=submission.file_id(content),
        file_name=submission.sent_name(name),
        stored_as=stored.name,
        size=len(content),
        verdict=checked.verdict,
    )


def _template_button(contract, viewer, checked: DryRun | None) -> None:
    """The blank template of the period the file is for (else the current one): a file filled in as it
    is laid out is always accepted."""
    period = (
        checked.period if checked and checked.period else template_periods(contract, local_now().date())[0]
    )
    name = template_file_name(contract, viewer.ward_code, period)
    downloads.download(
        lambda: template_bytes(contract, period, viewer.ward_code),
        name,
        f"template_{period.key}",
        label=(f"Tải mẫu nhập liệu kỳ {period.key} (Excel)", f"Download the {period.key} template (Excel)"),
    )


def main() -> None:
    viewer = auth.current_viewer()
    st.title(t("Nộp báo cáo", "Send an extract"))
    if viewer is None or not viewer.sends_extracts:
        st.info(t("Trang này dành cho tài khoản đơn vị gửi số liệu.", "This page is for reporting offices."))
        st.stop()
    home = home_from_env()
    contract = load_contracts()[viewer.source]
    wards = load_lookups()["ward"]
    whose = wards.display_name(viewer.ward_code) if viewer.ward_code else t("toàn quận", "the district")
    st.caption(f"{contract.name_vi} · {whose}")
    st.markdown(
        t(
            "Chọn hoặc kéo tệp vào ô dưới: tệp được kiểm tra theo mẫu của nguồn ngay (chưa nạp gì), rồi gửi "
            "khi đạt. Tệp gửi được nạp ở lần chạy tới; trạng thái hiện ở bảng cuối trang.",
            "Pick or drop a file below: it is checked against the source's contract at once (nothing is "
            "loaded), then sent when it passes. A sent file loads at the next run; its state is in the table "
            "at the bottom.",
        )
    )
    suffixes = sorted(s.lstrip(".") for s in SPREADSHEET_SUFFIXES | CSV_SUFFIXES)
    uploaded = st.file_uploader(t("Tệp số liệu", "Data file"), type=suffixes, key="upload")
    most = limits_from_env().max_file_bytes // MB
    kinds = ", ".join(f".{s}" for s in suffixes)
    st.caption(
        t(
            f"Bảng tính Excel hoặc CSV ({kinds}), tối đa {most} MB.",
            f"Excel or CSV ({kinds}), {most} MB at most.",
        )
    )
    checked = None
    if uploaded is not None:
        content = uploaded.getvalue()
        checked = _checked(home, viewer, contract, uploaded.name, content)
        if _show(checked, viewer.ward_code):
            _replacing(home, contract, checked, content)
            _send_button(home, viewer, uploaded.name, content, checked)
    _template_button(contract, viewer, checked)
    _sent_table(home, viewer)
    _owed(contract)


main()
