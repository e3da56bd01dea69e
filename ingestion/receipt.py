"""The receipt an office gets for each file: accepted with N rows (and which rows were rejected and
why), or set aside and why, in Vietnamese. Written beside the archived or quarantined file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from base import vi
from signoff.ledger import Approval

RECEIPT_SUFFIX = ".receipt.txt"
REJECTS_LISTED = 50
SKIPPED_VI = "trống, tiêu đề phụ, tổng cộng, chữ ký"  # the rows neither loaded nor rejected


@dataclass(frozen=True)
class RejectLine:
    row_number: int
    column: str
    value: str
    reason: str


def receipt_path(stored: Path) -> Path:
    return stored.with_name(stored.name + RECEIPT_SUFFIX)


def _when(value: dt.datetime) -> str:
    return value.strftime("%d/%m/%Y %H:%M")


def one_line(record: dict) -> str:
    """The receipt in a line, as `treem status` lists it."""
    if record["outcome"] == "quarantined":
        return f"KHÔNG NHẬN – {record['reason']}"
    rejected = record["rows_rejected"]
    text = f"ĐÃ NHẬN {vi.count(record['rows_loaded'])} dòng"
    if rejected:
        text += f", {vi.count(rejected)} dòng bị loại"
    return text


def reject_lines(rejects: list[RejectLine], listed: int | None = REJECTS_LISTED) -> list[str]:
    """A line per rejected row (row, column, value as typed, reason); past ``listed``, how many more."""
    shown = rejects if listed is None else rejects[:listed]
    lines = []
    for r in shown:
        value = f" = '{r.value}'" if r.value else ""
        lines.append(f"- dòng {r.row_number}, cột {r.column}{value}: {r.reason}")
    if len(rejects) > len(shown):
        lines.append(f"… và {vi.count(len(rejects) - len(shown))} lỗi khác")
    return lines


def receipt_text(
    record: dict,
    name_vi: str,
    rejects: list[RejectLine],
    ward_name: str | None,
    detail: str | None = None,
    hint: str = "",
    approved: list[str] | None = None,
) -> str:
    """``hint``: what the file's unknown headers or values may mean, and how a data engineer confirms it.
    ``approved``: the report periods the file's figures fall in that are approved (``approved_line``)."""
    lines = [
        "BIÊN NHẬN TỆP DỮ LIỆU – treem",
        f"Tệp: {record['file_name']}",
        f"Nguồn: {name_vi}",
        f"Nhận lúc: {_when(record['received_at'])}   Xử lý lúc: {_when(record['processed_at'])}",
        f"Mã tệp: {record['file_id']}",
        "",
    ]
    if record["outcome"] == "quarantined":
        lines += [
            "KẾT QUẢ: KHÔNG NHẬN – tệp được để riêng (cách ly), không dòng nào được nạp.",
            f"Lý do: {record['reason']}",
            "",
            "Cách xử lý: sửa tệp theo lý do trên rồi gửi lại vào đúng thư mục hộp thư đến.",
        ]
        if hint:
            lines += ["", hint]
        if detail:
            lines += ["", "Chi tiết kỹ thuật (cho kỹ sư dữ liệu):", detail.rstrip()]
        return "\n".join(lines) + "\n"
    where = f"phường {ward_name}" if ward_name else "toàn quận"
    lines += [
        f"KẾT QUẢ: ĐÃ NHẬN – kỳ {record['period']}, {where}.",
        f"Số dòng đọc: {vi.count(record['rows_read'])} = {vi.count(record['rows_loaded'])} dòng nạp"
        f" + {vi.count(record['rows_rejected'])} dòng bị loại"
        f" + {vi.count(record['rows_skipped'])} dòng bỏ qua ({SKIPPED_VI})",
    ]
    if record.get("supersedes"):
        lines.append(f"Tệp này thay thế tệp đã gửi trước cho cùng kỳ (mã tệp {record['supersedes']}).")
    if approved:
        lines += [
            "",
            "LƯU Ý: số liệu của tệp thuộc kỳ báo cáo đã được phê duyệt. Tệp vẫn được nạp (không mất gì); "
            "bản báo cáo đã phê duyệt giữ nguyên, số liệu thay đổi có trong bản điều chỉnh và chờ phường "
            "và quận phê duyệt lại:",
            *approved,
        ]
    if rejects:
        lines += ["", "Các dòng bị loại (sửa và gửi lại cả tệp nếu cần bổ sung):", *reject_lines(rejects)]
    if hint:
        lines += ["", hint]
    return "\n".join(lines) + "\n"


def approved_line(approval: Approval) -> str:
    return (
        f"  - {approval.period_label} ({approval.period_key}), {approval.unit_name}: phê duyệt ngày "
        f"{approval.approved_at:%d/%m/%Y %H:%M} bởi {approval.name} (mã {approval.approval_id})"
    )
