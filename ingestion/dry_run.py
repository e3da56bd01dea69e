"""A file checked against its source's contract without loading anything: what ingestion would make of
it (the period and ward it understood, the rows that would load, each rejected row and why, or why the
whole file would be set aside). The same code as ingestion reads with (the hostile-file guard, then
parse_file, with the mappings a data engineer confirmed for the home); nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from base import vi
from base.home import Home
from ingestion.contract import Contract
from ingestion.hints import unknown_values_hint
from ingestion.lookups import load_lookups
from ingestion.mappings import with_mappings
from ingestion.parse_file import ParsedFile, Period
from ingestion.reading import read_file
from ingestion.receipt import REJECTS_LISTED, SKIPPED_VI, RejectLine, reject_lines


@dataclass(frozen=True)
class DryRun:
    source: str
    name_vi: str  # the source's name, for the clerk
    file_name: str
    period: Period | None
    ward_code: str | None
    ward_name: str | None
    problem: str | None = None  # why the whole file would be set aside; None: it would load
    hint: str = ""  # what the closest headers or unknown values may mean
    sheet: str | None = None
    header_row: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    nil_report: bool = False
    rejects: tuple[RejectLine, ...] = ()

    @property
    def would_load(self) -> bool:
        return self.problem is None

    @property
    def clean(self) -> bool:
        """Every data row would load."""
        return self.would_load and not self.rows_rejected

    @property
    def verdict(self) -> str:
        """'clean', 'rows_rejected' or 'set_aside' (as the audit log records a check)."""
        return "clean" if self.clean else "rows_rejected" if self.would_load else "set_aside"


def dry_run(path: Path, contract: Contract, home: Home, name: str | None = None) -> DryRun:
    """Check ``path`` (sent as ``name``) as ingestion would read it for ``home``; loads nothing."""
    name = name or path.name
    contract = with_mappings(contract, home)
    result = read_file(path, contract, name)
    lookups = load_lookups()
    ward_name = lookups["ward"].display_name(result.ward_code) if result.ward_code else None
    read_as = (contract.source, contract.name_vi, name, result.period, result.ward_code, ward_name)
    if not isinstance(result, ParsedFile):
        return DryRun(*read_as, problem=result.reason, hint=result.hint)
    return DryRun(
        *read_as,
        hint=unknown_values_hint(contract, result.unknown_values, lookups),
        sheet=result.sheet,
        header_row=result.header_row,
        rows_read=result.rows_read,
        rows_loaded=result.rows_loaded,
        rows_rejected=result.rows_rejected,
        rows_skipped=result.rows_skipped,
        nil_report=result.nil_report,
        rejects=tuple(RejectLine(r.row_number, r.column, r.value, r.reason) for r in result.rejects),
    )


def dry_run_text(checked: DryRun, listed: int | None = REJECTS_LISTED) -> str:
    """The check in Vietnamese, as `treem check` prints it (``listed``: at most this many rejected rows,
    None: all)."""
    lines = [f"KIỂM TRA TỆP (chạy thử, không nạp) – {checked.name_vi}", f"Tệp: {checked.file_name}"]
    period = f"kỳ {checked.period.key}" if checked.period else "kỳ: không xác định được"
    where = f"phường {checked.ward_name}" if checked.ward_name else "toàn quận"
    if checked.ward_code is None and not checked.would_load:
        where = "phường: không xác định được"
    lines.append(f"Hiểu là: {period}, {where}")
    if not checked.would_load:
        verdict = "KẾT QUẢ: SẼ KHÔNG NHẬN – cả tệp sẽ bị để riêng (cách ly)."
        lines += ["", verdict, f"Lý do: {checked.problem}"]
    else:
        verdict = "SẼ NHẬN ĐỦ" if checked.clean else "SẼ NHẬN, CÓ DÒNG BỊ LOẠI"
        if checked.nil_report and not checked.rows_loaded:
            verdict += " (báo cáo 'không có số liệu' trong kỳ)"
        lines += [
            "",
            f"KẾT QUẢ: {verdict} – bảng ở trang '{checked.sheet}', dòng tiêu đề {checked.header_row}.",
            f"Số dòng đọc: {vi.count(checked.rows_read)} = {vi.count(checked.rows_loaded)} dòng sẽ nạp"
            f" + {vi.count(checked.rows_rejected)} dòng bị loại"
            f" + {vi.count(checked.rows_skipped)} dòng bỏ qua ({SKIPPED_VI})",
        ]
        if checked.rejects:
            lines += ["", "Các dòng bị loại (sửa rồi kiểm tra lại):"]
            lines += reject_lines(list(checked.rejects), listed)
    if checked.hint:
        lines += ["", checked.hint]
    return "\n".join(lines) + "\n"
