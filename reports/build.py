"""Build a report workbook: ``build_report`` for one period and edition, ``build_all`` for every
report period of the calendar that the data covers, district and ward editions."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

from base.atomic import write_atomically
from base.home import Home
from reports import signoff
from reports.annexes import ANNEXES
from reports.config import ReportConfig, load_config
from reports.data import (
    REPORT_NEEDS,
    ReportData,
    load_report_data,
    read_report_data,
    read_report_periods,
    read_wards,
)
from reports.inputs import InputsRecord, inputs_digest, period_lock
from reports.sheet import Heading, use_document_font, write_sheet
from serving.contract import DISTRICT_CODE, open_serving

__all__ = ["build_all", "build_report", "report_bytes", "report_file_name"]


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in ascii_text).split())


def report_file_name(period_key: str, ward_code: str | None = None, ward_name: str | None = None) -> str:
    """``2025-BCT-6T_268-toan-quan.xlsx`` for the district, ``2025-BCT-6T_09541-mo-lao.xlsx`` for a ward."""
    if ward_code is None:
        return f"{period_key}_{DISTRICT_CODE}-toan-quan.xlsx"
    return f"{period_key}_{ward_code}-{_slug(ward_name or '')}.xlsx".replace("-.xlsx", ".xlsx")


def _heading(data: ReportData, config: ReportConfig) -> Callable[[str], Heading]:
    edition = config.edition(data.ward.name if data.ward else None)
    period = data.period
    scope = f"phường {data.ward.name}" if data.ward else f"toàn quận ({len(data.wards)} phường)"
    as_of = f"{data.data_as_of:%d/%m/%Y %H:%M}" if data.data_as_of else "chưa có tệp nào"
    subtitle = f"(Kèm theo {period.label_vi[0].lower()}{period.label_vi[1:]}"
    subtitle += f" của UBND phường {data.ward.name})" if data.ward else ")"
    mark = data.signoff
    if mark is not None and mark.amended:
        subtitle = (
            f"BẢN ĐIỀU CHỈNH của bản đã phê duyệt ngày {mark.approved_at:%d/%m/%Y}, bởi {mark.approved_by} "
            f"(mã {mark.approval_id}): {len(mark.changes)} số liệu thay đổi, xem PL0. {subtitle}"
        )
    elif mark is not None:
        subtitle = (
            f"{subtitle} Đã phê duyệt ngày {mark.approved_at:%d/%m/%Y %H:%M}, bởi {mark.approved_by} "
            f"(mã phê duyệt {mark.approval_id})."
        )
    period_line = (
        f"Phạm vi: {scope}. Kỳ số liệu: từ {period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y}. Hạn gửi báo "
        f"cáo: {period.deadline:%d/%m/%Y}. Số liệu tính đến: {as_of}."
    )

    def heading(title: str) -> Heading:
        return Heading(
            issuer=edition.issuer,
            motto=config.motto,
            place_date=f"{config.place}, ngày ..... tháng ..... năm {period.deadline.year}",
            title=title,
            subtitle=subtitle,
            period_line=period_line,
            signers=edition.signers,
        )

    return heading


def build_workbook(data: ReportData, config: ReportConfig | None = None) -> Workbook:
    config = config or load_config()
    data.small_count_threshold = config.small_count_threshold
    heading = _heading(data, config)
    workbook = Workbook()
    use_document_font(workbook)  # before any cell: column widths are counted in its digits
    workbook.remove(workbook.active)
    for annex in ANNEXES:
        sheet = annex(data)
        if sheet is None:  # an annex of some reports only
            continue
        write_sheet(workbook.create_sheet(sheet.name), sheet, heading(sheet.title))
    workbook.properties.title = data.period.label_vi
    workbook.properties.creator = "treem"
    workbook.properties.created = dt.datetime.now()
    return workbook


def _current(data: ReportData, home: Home | None) -> ReportData:
    """The edition as the data hold it now: the amended edition when ``home``'s ledger has an approval of
    the period whose figures differ."""
    return signoff.amend(home, data, signoff.in_force_district(home, data.period.key)) if home else data


def report_bytes(
    serving: os.PathLike, period_key: str, ward_code: str | None = None, home: Home | None = None
) -> bytes:
    """The workbook as bytes (for a download)."""
    buffer = BytesIO()
    build_workbook(_current(load_report_data(serving, period_key, ward_code), home)).save(buffer)
    return buffer.getvalue()


def build_report(
    serving: os.PathLike,
    period_key: str,
    out: os.PathLike,
    ward_code: str | None = None,
    home: Home | None = None,
) -> Path:
    """Write the workbook to ``out`` (through a temporary file, so a reader never sees half of it)."""
    data = _current(load_report_data(serving, period_key, ward_code), home)
    return _write(build_workbook(data), Path(out))


def _write(workbook: Workbook, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(out, workbook.save)


@dataclass(frozen=True)
class BuiltReports:
    written: list[Path]
    skipped: list[str]  # report periods the data does not cover yet
    unchanged: list[Path] = field(default_factory=list)  # figures as when last written: left alone


def build_all(
    serving: os.PathLike,
    reports_dir: os.PathLike,
    progress: Callable[[str], None] = lambda _: None,
    rewrite: bool = False,
    home: Home | None = None,
    only: str | None = None,
) -> BuiltReports:
    """Every report period of the calendar that the data covers, in ``reports_dir/<period>/``: the
    district edition and one per ward. Files of a period are replaced, never half-written; a workbook
    whose figures did not change since it was written is left alone unless ``rewrite``. With ``home``,
    a period the district approved gets amended editions where its figures changed, and every frozen
    edition missing (a kill while freezing) is written from its snapshot. ``only``: that period alone."""
    reports_dir = Path(reports_dir)
    written, skipped, unchanged = [], [], []
    con = open_serving(serving, REPORT_NEEDS)
    try:
        wards = read_wards(con)
        for period in read_report_periods(con):
            key = period["period_key"]
            if only is not None and key != only:
                continue
            if not period["has_data"]:
                skipped.append(key)
                continue
            folder = reports_dir / key
            with period_lock(folder):
                record = InputsRecord(folder)
                approval = signoff.in_force_district(home, key) if home else None
                before = len(written)
                editions = [(None, report_file_name(key))]
                editions += [(w.code, report_file_name(key, w.code, w.name)) for w in wards]
                for ward_code, name in editions:
                    data = read_report_data(con, key, ward_code)
                    if home:
                        data = signoff.amend(home, data, approval)
                    digest, out = inputs_digest(data), folder / name
                    if not rewrite and record.unchanged(out, digest):
                        unchanged.append(out)
                        continue
                    written.append(_write(build_workbook(data), out))
                    record.remember(out, digest)
            progress(
                f"{key}: {len(written) - before} tệp ghi mới, {len(editions) - len(written) + before} "
                f"không đổi, trong {folder}"
            )
    finally:
        con.close()
    for approval in signoff.district_approvals(home) if home else []:
        frozen = signoff.freeze(home, approval)
        if frozen:
            progress(
                f"{approval.approval_id}: {len(frozen)} tệp bản đã phê duyệt ghi lại từ bản chụp số liệu"
            )
        written += frozen
    return BuiltReports(written, skipped, unchanged)
