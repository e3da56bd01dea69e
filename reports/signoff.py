"""Sign-off of a report period (docs/reports.md#sign-off): a ward officer approves their ward's figures, the
district leader the district edition once the wards have (or with a reason for those that have not), a
data engineer either from the command line. The district's approval freezes every edition of the
period: written once from the snapshot kept in the ledger, under ``reports/<period>/phe-duyet-<id>/``,
never rewritten. A later run that changes an approved figure leaves the frozen edition as it is; the
period's current workbooks become amended editions with the list of changes, and the approval asks to
be given again."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import duckdb
from openpyxl import Workbook
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from access import audit
from access.indicator_suppression import SMALL_COUNT_INDICATORS
from access.roles import Role, Viewer
from base.atomic import write_atomically
from base.clock import DISTRICT_TZ, local_now
from base.district import DISTRICT_CODE
from base.errors import UserError
from base.home import Home
from base.vi import count
from reports.data import REPORT_NEEDS, ReportData, SignoffMark, read_report_data, read_wards
from reports.inputs import period_lock
from reports.snapshot import figures_hash, from_json, to_json
from serving.contract import open_serving
from signoff import ledger
from signoff.ledger import Approval, Snapshot

FROZEN_PREFIX = "phe-duyet-"


class SignoffError(UserError):
    """An approval or its withdrawal cannot be made as asked; the message (Vietnamese) says why."""


CONFLICT = (
    "Phê duyệt của kỳ này vừa thay đổi (một người khác vừa phê duyệt hoặc huỷ phê duyệt): hãy xem lại "
    "rồi làm lại."
)


def may_approve(viewer: Viewer, ward_code: str | None) -> bool:
    """A ward officer approves their own ward's figures, the district leader the district edition; a
    data engineer either (``treem approve``). Nobody else."""
    if viewer.role == Role.WARD_OFFICER:
        return ward_code is not None and ward_code == viewer.ward_code
    if viewer.role == Role.DISTRICT_LEADER:
        return ward_code is None
    return viewer.role == Role.DATA_ENGINEER


def unit_name(ward_code: str | None, wards: dict[str, str]) -> str:
    return f"phường {wards.get(ward_code, ward_code)}" if ward_code else "toàn quận"


# ── the figures of a period, as they are now ─────────────────────────────────────────────────────


@dataclass
class PeriodFigures:
    """Every edition of a period read from one serving copy: the district's (key DISTRICT_CODE) and each
    ward's, with their hashes."""

    period_key: str
    editions: dict[str, ReportData]

    @cached_property
    def hashes(self) -> dict[str, str]:
        """Each edition's figures hash, computed once."""
        return {edition: figures_hash(data) for edition, data in self.editions.items()}

    def hash_of(self, ward_code: str | None) -> str:
        """A ward's approval covers its edition; the district's covers every edition of the period."""
        if ward_code is not None:
            return self.hashes[ward_code]
        joined = "|".join(f"{e}:{h}" for e, h in sorted(self.hashes.items()))
        return hashlib.sha256(joined.encode()).hexdigest()

    @property
    def wards(self) -> dict[str, str]:
        return {w.code: w.name for data in self.editions.values() for w in data.wards}


def read_period(
    con: duckdb.DuckDBPyConnection, period_key: str, ward_code: str | None = None
) -> PeriodFigures:
    """The editions of ``period_key`` (only ``ward_code``'s when given) from an open serving copy."""
    codes = [ward_code] if ward_code else [None, *(w.code for w in read_wards(con))]
    return PeriodFigures(
        period_key, {code or DISTRICT_CODE: read_report_data(con, period_key, code) for code in codes}
    )


def load_period(serving: os.PathLike, period_key: str, ward_code: str | None = None) -> PeriodFigures:
    con = open_serving(serving, REPORT_NEEDS)
    try:
        return read_period(con, period_key, ward_code)
    finally:
        con.close()


# ── approving and withdrawing ────────────────────────────────────────────────────────────────────


def approve(
    home: Home,
    viewer: Viewer,
    period_key: str,
    ward_code: str | None = None,
    seen_hash: str | None = None,
    override_reason: str | None = None,
    client: str | None = None,
) -> Approval:
    """Approve the period's figures of a ward (or the district's), as the serving copy holds them now.
    ``seen_hash``: the figures the approver looked at (refused when the data changed since); the
    district's approval without every ward's current approval needs ``override_reason``. Recorded in
    the ledger with its snapshot, then in the audit log; the district's approval freezes the editions."""
    if not may_approve(viewer, ward_code):
        raise SignoffError(
            "Tài khoản này không được phê duyệt số liệu của "
            + (f"phường {ward_code}." if ward_code else "toàn quận.")
        )
    figures = load_period(home.serving, period_key, ward_code)
    current = figures.hash_of(ward_code)
    if seen_hash is not None and seen_hash != current:
        raise SignoffError(
            "Số liệu vừa được cập nhật sau khi bạn xem: hãy xem lại số liệu mới rồi phê duyệt."
        )
    forced = ledger.in_force(home.root, period_key)
    unit = ward_code or DISTRICT_CODE
    if unit in forced and forced[unit].figures_hash == current:
        raise SignoffError(
            f"Kỳ {period_key} của {unit_name(ward_code, figures.wards)} đã được phê duyệt "
            f"({forced[unit].approval_id}) và số liệu chưa đổi từ đó."
        )
    reason = (override_reason or "").strip() or None
    if ward_code is None:
        waiting = wards_waiting(forced, figures)
        if waiting and not reason:
            raise SignoffError(
                "Chưa thể phê duyệt bản toàn quận: "
                + "; ".join(f"phường {name}: {why}" for name, why in waiting)
                + ". Chờ các phường phê duyệt, hoặc ghi lý do phê duyệt không chờ (--override)."
            )
        if not waiting:
            reason = None
    snapshots = [
        Snapshot(edition, figures.hashes[edition], to_json(data), _indicator_rows(data))
        for edition, data in sorted(figures.editions.items())
    ]
    first = figures.editions[DISTRICT_CODE if ward_code is None else ward_code]
    decided = Approval(
        approval_id="",  # numbered by the ledger, under its lock
        period_key=period_key,
        period_label=first.period.label_vi,
        period_start=first.period.start,
        period_end=first.period.end,
        ward_code=ward_code,
        unit_name=unit_name(ward_code, figures.wards),
        approved_at=local_now().replace(microsecond=0),
        username=viewer.username,
        name=viewer.name,
        role=viewer.role.value,
        figures_hash=current,
        data_as_of=first.data_as_of,
        override_reason=reason,
    )
    try:
        approval = ledger.record(
            home.root, decided, snapshots, {unit: a.approval_id for unit, a in forced.items()}
        )
    except ledger.Conflict:
        raise SignoffError(CONFLICT) from None
    detail = (
        f"{approval.approval_id}: {approval.period_label}, {approval.unit_name}; mã băm số liệu {current}"
    )
    if reason:
        detail += f"; phê duyệt không chờ các phường, lý do: {reason}"
    audit.record(
        home.root, viewer.username, audit.APPROVE_PERIOD, viewer.role.value, ward_code, detail, client=client
    )
    if ward_code is None:
        freeze(home, approval)
        refresh(home, period_key)
    return approval


def refresh(home: Home, period_key: str) -> None:
    """The period's current workbooks written again after the district's approval changed: an amended
    edition becomes plain once approved, a plain one amended once its approval is withdrawn."""
    from reports.build import build_all

    build_all(home.serving, home.reports, home=home, only=period_key)


def wards_waiting(forced: dict[str, Approval], figures: PeriodFigures) -> list[tuple[str, str]]:
    """The wards whose approval the district's waits for: (ward name, why)."""
    waiting = []
    for code, name in figures.wards.items():
        approval = forced.get(code)
        if approval is None:
            waiting.append((name, "chưa phê duyệt"))
        elif approval.figures_hash != figures.hash_of(code):
            waiting.append((name, f"số liệu đã thay đổi sau phê duyệt {approval.approval_id}"))
    return waiting


def withdraw(
    home: Home, viewer: Viewer, approval_id: str, reason: str, client: str | None = None
) -> Approval:
    """Withdraw the approval in force of its unit (a reason is required), recorded in the ledger and the
    audit log. Its frozen edition stays, as what was sent; the approval it had replaced does not come
    back: the unit has none in force until it approves again."""
    found = next(
        (a for a in ledger.approvals(home.root) if a.approval_id == approval_id),
        None,
    )
    if found is None or ledger.in_force(home.root, found.period_key).get(found.unit) != found:
        raise SignoffError(f"Không có phê duyệt '{approval_id}' đang có hiệu lực.")
    if not may_approve(viewer, found.ward_code):
        raise SignoffError("Tài khoản này không được huỷ phê duyệt này.")
    if not reason.strip():
        raise SignoffError("Huỷ phê duyệt cần ghi lý do.")
    try:
        ledger.withdraw(
            home.root,
            found,
            local_now().replace(microsecond=0),
            viewer.username,
            viewer.role.value,
            reason.strip(),
        )
    except ledger.Conflict:
        raise SignoffError(CONFLICT) from None
    audit.record(
        home.root,
        viewer.username,
        audit.WITHDRAW_APPROVAL,
        viewer.role.value,
        found.ward_code,
        f"{approval_id}: {found.period_label}; lý do: {reason.strip()}",
        client=client,
    )
    if found.ward_code is None:
        refresh(home, found.period_key)
    return found


def _indicator_rows(data: ReportData) -> list[dict]:
    return [
        {k: row.get(k) for k in ("org_unit_code", "indicator_code", "numerator", "denominator", "value")}
        for row in data.indicators
    ]


# ── the frozen editions ──────────────────────────────────────────────────────────────────────────


def frozen_folder(home: Home, approval: Approval) -> Path:
    return home.reports / approval.period_key / f"{FROZEN_PREFIX}{approval.approval_id}"


def workbook_bytes(workbook: Workbook, when: dt.datetime) -> bytes:
    """The workbook's bytes with every time in it set to ``when`` (district time): the same figures give
    the same bytes. openpyxl stamps the save time into the document properties; they are written again."""
    utc = when.replace(tzinfo=DISTRICT_TZ).astimezone(dt.UTC).replace(tzinfo=None)
    saved, fixed = BytesIO(), BytesIO()
    workbook.save(saved)
    workbook.properties.created = workbook.properties.modified = utc
    with ZipFile(saved) as src, ZipFile(fixed, "w", ZIP_DEFLATED) as out:
        for info in src.infolist():
            entry = ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type, entry.external_attr = ZIP_DEFLATED, info.external_attr
            content = tostring(workbook.properties.to_tree()) if info.filename == ARC_CORE else src.read(info)
            out.writestr(entry, content)
    return fixed.getvalue()


def mark(approval: Approval, changes: list[dict] | None = None) -> SignoffMark:
    return SignoffMark(approval.approval_id, approval.approved_at, approval.name, changes)


def approved_data(home: Home, approval: Approval, edition: str) -> ReportData | None:
    text = ledger.snapshot(home.root, approval.approval_id, edition)
    return from_json(text) if text else None


def differs(home: Home, approval: Approval, edition: str, current_hash: str) -> bool:
    """Whether an edition's figures now differ from those the approval covered (the hash kept with its
    snapshot: no snapshot is read); False for an edition it does not cover."""
    approved = ledger.snapshot_hashes(home.root, approval.approval_id).get(edition)
    return approved is not None and approved != current_hash


def _frozen(approval: Approval, data: ReportData) -> bytes:
    from reports.build import build_workbook

    data.signoff = mark(approval)
    return workbook_bytes(build_workbook(data), approval.approved_at)


def frozen_bytes(home: Home, approval: Approval, edition: str) -> bytes:
    """One edition of an approval built from its snapshot alone: the frozen workbook, byte for byte."""
    data = approved_data(home, approval, edition)
    if data is None:
        raise SignoffError(f"Phê duyệt {approval.approval_id} không có bản {edition}.")
    return _frozen(approval, data)


def frozen_path(home: Home, approval: Approval, edition: str) -> Path | None:
    """The frozen workbook of an edition, None while it is not written (its name, ``report_file_name``,
    starts with the period and the edition's code)."""
    folder = frozen_folder(home, approval)
    found = [
        *folder.glob(f"{approval.period_key}_{edition}-*.xlsx"),
        folder / f"{approval.period_key}_{edition}.xlsx",
    ]
    return next((path for path in found if path.is_file()), None)


def freeze(home: Home, approval: Approval) -> list[Path]:
    """Write the approval's editions that are not written yet (a kill midway leaves the rest to the next
    run); a frozen workbook already there is never written again, and its snapshot is not read."""
    from reports.build import report_file_name

    written = []
    with period_lock(home.reports / approval.period_key):
        for edition in ledger.snapshot_hashes(home.root, approval.approval_id):
            if frozen_path(home, approval, edition) is not None:
                continue
            data = approved_data(home, approval, edition)
            ward = data.ward
            path = frozen_folder(home, approval) / report_file_name(
                approval.period_key, ward.code if ward else None, ward.name if ward else None
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            content = _frozen(approval, data)
            written.append(write_atomically(path, lambda f, content=content: f.write(content)))
    return written


def district_approvals(home: Home, period_key: str | None = None) -> list[Approval]:
    """The district's approvals (withdrawn ones too) of a period or of every period, latest first."""
    found = [a for a in ledger.approvals(home.root, period_key) if a.ward_code is None]
    return sorted(found, key=lambda a: (a.approved_at, a.approval_id), reverse=True)


# ── what changed since an approval ───────────────────────────────────────────────────────────────

MEASURES = (("numerator", "Tử số"), ("denominator", "Mẫu số"), ("value", "Tỷ lệ / số ca"))


def _figure(value: object, measure: str, percent: bool) -> str:
    if value is None:
        return "trống"
    if measure == "value" and percent:
        return f"{float(value) * 100:.1f}%".replace(".", ",")
    return (
        count(float(value)) if float(value) == int(float(value)) else f"{float(value):.2f}".replace(".", ",")
    )


def files_since(approved: ReportData, current: ReportData, org_unit: str) -> str:
    """The files in force now that were not when the approval was given (a late file, a correction), for
    the unit's extracts of the period: a ward's, and the district-wide ones; for the district, every
    ward's."""
    before = {
        (r["org_unit_code"], r["source"], r["period_key"]): r.get("current_file_id")
        for r in approved.submissions
    }
    files = []
    for row in current.submissions:
        if org_unit != DISTRICT_CODE and row["org_unit_code"] not in (org_unit, DISTRICT_CODE):
            continue
        file_id = row.get("current_file_id")
        if file_id is None or before.get((row["org_unit_code"], row["source"], row["period_key"])) == file_id:
            continue
        when = row.get("corrected_at") or row.get("first_submitted_at")
        source = current.sources.get(row["source"], row["source"])
        extract = row.get("period_label_vi") or row["period_key"]
        files.append((str(when), f"{source} {extract}, tệp {str(file_id)[:8]} (gửi {when:%d/%m/%Y %H:%M})"))
    return "; ".join(text for _, text in sorted(files)) or "không có tệp mới (đổi do cách tính hoặc danh mục)"


def changes(approved: ReportData, current: ReportData, shows_small_counts: bool) -> list[dict]:
    """Each indicator figure of the edition that differs from the approved one: org unit, indicator,
    measure, approved and current (as text), the files in force now that were not then. Where the reader
    does not see small protection counts, a changed protection indicator is one line for the whole
    edition, without values or unit: which ward's count moved would tell of a case."""
    names = {w.code: w.name for w in current.wards} | {DISTRICT_CODE: "Toàn quận"}
    catalogue = {i["indicator_code"]: i for i in current.catalogue}
    rows, hidden = [], set()
    units = sorted(
        {(r["org_unit_code"], r["indicator_code"]) for r in (*approved.indicators, *current.indicators)}
    )
    for unit, code in units:
        before, after = approved.indicator(unit, code) or {}, current.indicator(unit, code) or {}
        indicator = catalogue.get(code, {"name_vi": code, "is_percent": True})
        percent = bool(indicator.get("is_percent"))
        for measure, label in MEASURES:
            old, new = before.get(measure), after.get(measure)
            if old == new or (old is not None and new is not None and float(old) == float(new)):
                continue
            if code in SMALL_COUNT_INDICATORS and not shows_small_counts:
                hidden.add(code)
                continue
            rows.append(
                {
                    "org_unit_code": unit,
                    "org_unit_name": names.get(unit, unit),
                    "indicator_code": code,
                    "indicator": indicator.get("name_vi") or code,
                    "measure": label,
                    "approved": _figure(old, measure, percent),
                    "current": _figure(new, measure, percent),
                    "files": files_since(approved, current, unit),
                }
            )
    for code in sorted(hidden):
        rows.append(
            {
                "org_unit_code": None,
                "org_unit_name": "–",
                "indicator_code": code,
                "indicator": catalogue.get(code, {}).get("name_vi") or code,
                "measure": "–",
                "approved": "Ẩn (số nhỏ)",
                "current": "Ẩn (số nhỏ)",
                "files": "–",
            }
        )
    return rows


def in_force_district(home: Home, period_key: str) -> Approval | None:
    return ledger.in_force(home.root, period_key).get(DISTRICT_CODE)


def amend(home: Home, current: ReportData, approval: Approval | None) -> ReportData:
    """``current`` marked as the amended edition of ``approval`` (the period's district approval in
    force), when its figures differ from those approved (else as it is)."""
    edition = current.ward.code if current.ward else DISTRICT_CODE
    if approval is None or not differs(home, approval, edition, figures_hash(current)):
        return current
    approved = approved_data(home, approval, edition)
    current.signoff = mark(approval, changes(approved, current, current.ward is not None))
    return current
