"""Build a report workbook: ``build_report`` for one period and edition, ``build_all`` for every
report period of the calendar that the data covers, district and ward editions."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

from reports.annexes import ANNEXES
from reports.config import ReportConfig, load_config
from reports.data import (
    ReportData,
    current_wards,
    load_report_data,
    report_periods,
)
from reports.sheet import Heading, use_document_font, write_sheet
from serving.contract import DISTRICT_CODE

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
        write_sheet(workbook.create_sheet(sheet.name), sheet, heading(sheet.title))
    workbook.properties.title = data.period.label_vi
    workbook.properties.creator = "treem"
    workbook.properties.created = dt.datetime.now()
    return workbook


def report_bytes(serving: os.PathLike, period_key: str, ward_code: str | None = None) -> bytes:
    """The workbook as bytes (for a download)."""
    buffer = BytesIO()
    build_workbook(load_report_data(serving, period_key, ward_code)).save(buffer)
    return buffer.getvalue()


def build_report(
    serving: os.PathLike, period_key: str, out: os.PathLike, ward_code: str | None = None
) -> Path:
    """Write the workbook to ``out`` (through a temporary file, so a reader never sees half of it)."""
    workbook = build_workbook(load_report_data(serving, period_key, ward_code))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # a new file of our own beside it: a link planted under a fixed temporary name redirects nothing
    fd, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            workbook.save(f)
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return out


@dataclass(frozen=True)
class BuiltReports:
    written: list[Path]
    skipped: list[str]  # report periods the data does not cover yet


def build_all(
    serving: os.PathLike, reports_dir: os.PathLike, progress: Callable[[str], None] = lambda _: None
) -> BuiltReports:
    """Every report period of the calendar that the data covers, in ``reports_dir/<period>/``: the
    district edition and one per ward. Files of a period are replaced, never half-written."""
    reports_dir = Path(reports_dir)
    wards = current_wards(serving)
    written, skipped = [], []
    for period in report_periods(serving):
        key = period["period_key"]
        if not period["has_data"]:
            skipped.append(key)
            continue
        folder = reports_dir / key
        written.append(build_report(serving, key, folder / report_file_name(key)))
        for ward in wards:
            written.append(
                build_report(serving, key, folder / report_file_name(key, ward.code, ward.name), ward.code)
            )
        progress(f"{key}: {1 + len(wards)} tệp trong {folder}")
    return BuiltReports(written, skipped)
