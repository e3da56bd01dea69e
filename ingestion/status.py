"""What has arrived, from whom, and what happened to each file: for `treem status`."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ingestion.contract import load_contracts
from ingestion.load import pending_files
from treem.home import Home


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


def source_statuses(home: Home) -> tuple[list[SourceStatus], list[tuple], list[str]]:
    """Per source counts, the quarantined files with their reasons, and inbox folders with no contract."""
    contracts = load_contracts()
    counts: dict[str, tuple] = {}
    quarantined: list[tuple] = []
    if home.warehouse.exists():
        try:
            con = duckdb.connect(str(home.warehouse), read_only=True)
        except duckdb.IOException as error:
            raise WarehouseBusy(
                "Kho dữ liệu đang được ghi (một lần chạy đang diễn ra); hãy thử lại sau ít phút"
            ) from error
        try:
            has_registry = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'raw' and table_name = 'file_registry'"
            ).fetchone()[0]
            if has_registry:
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
                quarantined = con.execute(
                    "select source, file_name, strftime(received_at, '%d/%m/%Y'), reason "
                    "from raw.file_registry where outcome = 'quarantined' order by source, received_at"
                ).fetchall()
        finally:
            con.close()
    statuses = []
    for source, contract in contracts.items():
        loaded, bad, rows, rejected, last = counts.get(source, (0, 0, 0, 0, "—"))
        waiting = len(pending_files(home.source_inbox(source)))
        statuses.append(
            SourceStatus(source, contract.name_vi, waiting, loaded, bad, rows, rejected, last or "—")
        )
    waiting_elsewhere = {
        folder.name: len(pending_files(folder))
        for folder in (home.inbox.iterdir() if home.inbox.is_dir() else [])
        if folder.is_dir() and folder.name not in contracts
    }
    uncovered = sorted(f"{name} ({count} tệp)" for name, count in waiting_elsewhere.items() if count)
    return statuses, quarantined, uncovered
