"""`treem release`: a data engineer lets a held correction (far fewer rows than the version it would
replace) replace it after all. The registry records who released it and when; the file goes back to its
source's inbox, and the next run loads it in place of the earlier version."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from base import duckdb_limits
from base.clock import local_now
from base.home import Home
from ingestion.filing import record_path
from ingestion.receipt import receipt_path
from ingestion.safety import safe_file_name


class ReleaseError(Exception):
    """The file cannot be released; the message is in Vietnamese."""


@dataclass(frozen=True)
class Released:
    file_id: str
    file_name: str
    source: str
    period: str | None
    held_against: str
    inbox_path: Path


FIND_SQL = """
select file_id, file_name, source, period, outcome, held_against, stored_as
from raw.file_registry
where file_id like ? || '%' or stored_as = ? or file_name = ?
"""


def _find(con: duckdb.DuckDBPyConnection, home: Home, what: str) -> tuple:
    path = Path(what).expanduser()
    stored = (
        path.resolve().relative_to(home.root).as_posix() if path.resolve().is_relative_to(home.root) else ""
    )
    key = what.lower() if len(what) >= 6 and all(c in "0123456789abcdef" for c in what.lower()) else "\0"
    found = con.execute(FIND_SQL, [key, stored, path.name]).fetchall()
    if not found:
        raise ReleaseError(
            f"Không tìm thấy tệp '{what}' trong sổ đăng ký tệp (ghi mã tệp, tên tệp hoặc đường dẫn)"
        )
    if len(found) > 1:
        ids = ", ".join(row[0] for row in found)
        raise ReleaseError(f"'{what}' ứng với nhiều tệp ({ids}); hãy ghi mã tệp")
    return found[0]


def release(home: Home, what: str, by: str) -> Released:
    """Release the held file named by ``what`` (its file id or a prefix of at least 6 hex digits, its
    stored path, or its name)."""
    try:
        con = duckdb_limits.connect(home.warehouse)
    except duckdb.IOException as error:
        raise ReleaseError(
            "Kho dữ liệu đang được ghi (một lần chạy đang diễn ra); hãy thử lại sau khi lần chạy kết thúc"
        ) from error
    try:
        file_id, file_name, source, period, outcome, held_against, stored_as = _find(con, home, what)
        if outcome != "quarantined" or held_against is None:
            state = (
                "đã được nạp" if outcome == "loaded" else "bị cách ly vì lý do khác, không phải bị giữ lại"
            )
            raise ReleaseError(f"Tệp {file_id} ('{file_name}') {state}: không có gì để cho phép")
        stored = home.root / stored_as
        if not stored.exists():
            raise ReleaseError(f"Không thấy tệp {stored} trong thư mục cách ly: có thể đã được cho phép rồi")
        con.execute(
            "update raw.file_registry set released_at = ?, released_by = ? where file_id = ?",
            [local_now(), by, file_id],
        )
    finally:
        con.close()
    target = back_to_inbox(home, stored, source, file_name, file_id)
    if target is None:
        raise ReleaseError(
            f"Hộp thư đến {home.source_inbox(source)} đang có tệp trùng tên '{file_name}': hãy chờ lần chạy "
            "tới nạp tệp đó rồi chạy lại lệnh này (việc cho phép đã được ghi)"
        )
    return Released(file_id, file_name, source, period, held_against, target)


def back_to_inbox(home: Home, stored: Path, source: str, file_name: str, file_id: str) -> Path | None:
    """Put a quarantined file back into its source's inbox, under the name it was sent with (or with its
    file id in front, if that name is taken), for the next run to read again; its receipt and registry
    note go (the next run writes new ones). None when both names are taken."""
    inbox = home.source_inbox(source)
    inbox.mkdir(parents=True, exist_ok=True)
    free = [
        path
        for path in (inbox / safe_file_name(file_name), inbox / f"{file_id}__{safe_file_name(file_name)}")
        if not path.exists()
    ]
    if not free:
        return None
    os.replace(stored, free[0])  # keeps its modification time: the time the office sent it
    for note in (receipt_path(stored), record_path(stored)):
        note.unlink(missing_ok=True)
    return free[0]
