"""What has arrived, from whom, and what happened to each file: for `treem status`."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from base import duckdb_limits
from base.home import Home
from ingestion.claim import claimed_files
from ingestion.contract import load_contracts
from ingestion.inbox import Skipped, pending_files, skipped_entries, unknown_source_files
from ingestion.receipt import RECEIPT_SUFFIX, one_line


class WarehouseBusy(Exception):
    """The warehouse is open for writing by a run; the message is in Vietnamese."""


@dataclass(frozen=True)
class SourceStatus:
    source: str
    name_vi: str
    waiting: int
    loaded: int
    quarantined: int
    rows_loaded: int
    rows_rejected: int
    last_received: str


@dataclass(frozen=True)
class Receipt:
    source: str
    file_name: str
    processed: str
    summary: str  # the receipt in one line
    receipt_file: str  # the full receipt, relative to the home folder


@dataclass(frozen=True)
class InboxStatus:
    sources: list[SourceStatus]
    receipts: list[Receipt]  # the latest processed files first
    unknown_waiting: list[str]  # files waiting where no contract applies (set aside at the next run)
    skipped: list[Skipped]  # inbox entries no run takes, and why


RECEIPTS_SQL = """
select source, file_name, strftime(processed_at, '%d/%m/%Y %H:%M'), outcome, reason,
       rows_loaded, rows_rejected, stored_as
from raw.file_registry
where (? is null or source = ?)
order by processed_at desc, file_name
limit ?
"""


def _read_registry(home: Home, source: str | None, limit: int) -> tuple[dict[str, tuple], list[Receipt]]:
    counts: dict[str, tuple] = {}
    receipts: list[Receipt] = []
    if not home.warehouse.exists():
        return counts, receipts
    try:
        con = duckdb_limits.connect(home.warehouse, read_only=True)
    except duckdb.IOException as error:
        raise WarehouseBusy(
            "Kho dữ liệu đang được ghi (một lần chạy đang diễn ra); hãy thử lại sau ít phút"
        ) from error
    try:
        has_registry = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'file_registry'"
        ).fetchone()[0]
        if not has_registry:
            return counts, receipts
        for row in con.execute(
            """
            select source, count(*) filter (where outcome = 'loaded'),
                   count(*) filter (where outcome = 'quarantined'),
                   coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0),
                   strftime(max(received_at), '%d/%m/%Y %H:%M')
            from raw.file_registry group by source
            """
        ).fetchall():
            counts[row[0]] = row[1:]
        for src, name, processed, outcome, reason, loaded, rejected, stored in con.execute(
            RECEIPTS_SQL, [source, source, limit]
        ).fetchall():
            record = {"outcome": outcome, "reason": reason, "rows_loaded": loaded, "rows_rejected": rejected}
            receipts.append(Receipt(src, name, processed, one_line(record), stored + RECEIPT_SUFFIX))
    finally:
        con.close()
    return counts, receipts


def inbox_status(home: Home, source: str | None = None, limit: int = 20) -> InboxStatus:
    """Per source counts, the receipts of the latest files, and files waiting where no contract applies."""
    contracts = load_contracts()
    counts, receipts = _read_registry(home, source, limit)
    statuses = []
    for name, contract in contracts.items():
        loaded, bad, rows, rejected, last = counts.get(name, (0, 0, 0, 0, "—"))
        # a file a run has taken out of the inbox but not yet stored still waits
        waiting = len(pending_files(home.source_inbox(name))) + len(claimed_files(home, name))
        statuses.append(
            SourceStatus(name, contract.name_vi, waiting, loaded, bad, rows, rejected, last or "—")
        )
    unknown = [p.relative_to(home.inbox).as_posix() for p in unknown_source_files(home)]
    return InboxStatus(statuses, receipts, unknown, skipped_entries(home))
