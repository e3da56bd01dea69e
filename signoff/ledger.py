"""The sign-off ledger (``signoff.sqlite`` in the home folder): who approved which report period's figures
for a ward or for the district, when, with the hash of the figures approved and their snapshot.

Rows are never changed: an approval is withdrawn by a row of its own (with a reason), and a new approval
of the same period and unit gets the next number. The snapshot of an approval is the JSON of each report
edition it covers, exactly as approved (``reports.snapshot``), and its indicator rows one per line
(``approved_figures``) so that they can be queried and loaded into the warehouse."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from base.district import DISTRICT_CODE

SCHEMA = (
    """create table if not exists approvals (
        approval_id text primary key, period_key text not null, period_label text not null,
        period_start text not null, period_end text not null, ward_code text, unit_name text not null,
        approved_at text not null, username text not null, name text not null, role text not null,
        figures_hash text not null, data_as_of text, override_reason text)""",
    """create table if not exists withdrawals (
        approval_id text primary key references approvals, withdrawn_at text not null,
        username text not null, role text not null, reason text not null)""",
    """create table if not exists snapshots (
        approval_id text not null references approvals, edition text not null,
        figures_hash text not null, report_data text not null, primary key (approval_id, edition))""",
    """create table if not exists approved_figures (
        approval_id text not null references approvals, edition text not null, org_unit_code text not null,
        indicator_code text not null, numerator double, denominator double, value double,
        primary key (approval_id, edition, org_unit_code, indicator_code))""",
    # rows are written once: no update, no delete
    *(
        f"create trigger if not exists {table}_no_{verb} before {verb} on {table} "
        "begin select raise(abort, 'the sign-off ledger is append-only'); end"
        for table in ("approvals", "withdrawals", "snapshots", "approved_figures")
        for verb in ("update", "delete")
    ),
)


TABLES = ("approvals", "withdrawals", "approved_figures")  # what the warehouse copies


@dataclass(frozen=True)
class Approval:
    approval_id: str
    period_key: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    ward_code: str | None  # None: the district edition (and with it every edition of the period)
    unit_name: str  # "phường Mộ Lao", "toàn quận"
    approved_at: dt.datetime
    username: str
    name: str
    role: str
    figures_hash: str
    data_as_of: dt.datetime | None = None
    override_reason: str | None = None  # the district approved without every ward's approval
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: str | None = None
    withdraw_reason: str | None = None

    @property
    def unit(self) -> str:
        return self.ward_code or DISTRICT_CODE

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


@dataclass(frozen=True)
class Snapshot:
    edition: str  # a ward's code, or the district's
    figures_hash: str
    report_data: str  # reports.snapshot's JSON
    figures: list[dict]  # indicator rows: org_unit_code, indicator_code, numerator, denominator, value


def ledger_path(home_root: os.PathLike) -> Path:
    return Path(home_root) / "signoff.sqlite"


def _connect(home_root: os.PathLike) -> sqlite3.Connection:
    path = ledger_path(home_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("pragma journal_mode = wal")
    con.execute("pragma foreign_keys = on")
    if not con.execute("select 1 from sqlite_master where name = 'approvals'").fetchone():
        con.execute("begin immediate")
        for statement in SCHEMA:
            con.execute(statement)
        con.execute("commit")
    return con


@contextmanager
def _writing(home_root: os.PathLike) -> Iterator[sqlite3.Connection]:
    with closing(_connect(home_root)) as con:
        con.execute("begin immediate")
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


SELECT = """
    select a.approval_id, a.period_key, a.period_label, a.period_start, a.period_end, a.ward_code,
           a.unit_name,
           a.approved_at, a.username, a.name, a.role, a.figures_hash, a.data_as_of, a.override_reason,
           w.withdrawn_at, w.username, w.reason
    from approvals a left join withdrawals w using (approval_id)
"""


def _approval(row: tuple) -> Approval:
    (
        aid,
        key,
        label,
        start,
        end,
        ward,
        unit,
        at,
        user,
        name,
        role,
        digest,
        as_of,
        override,
        w_at,
        w_by,
        why,
    ) = row
    return Approval(
        aid,
        key,
        label,
        dt.date.fromisoformat(start),
        dt.date.fromisoformat(end),
        ward,
        unit,
        _time(at),
        user,
        name,
        role,
        digest,
        _time(as_of),
        override,
        _time(w_at),
        w_by,
        why,
    )


def approvals(home_root: os.PathLike, period_key: str | None = None) -> list[Approval]:
    """Every approval (withdrawn ones too) of one period or of all, oldest first; none before the
    ledger exists."""
    if not ledger_path(home_root).exists():
        return []
    with closing(_connect(home_root)) as con:
        rows = con.execute(
            SELECT + " where ? is null or a.period_key = ? order by a.approved_at, a.approval_id",
            (period_key, period_key),
        ).fetchall()
    return [_approval(row) for row in rows]


def _in_force(found: list[Approval]) -> dict[str, Approval]:
    latest: dict[str, Approval] = {}
    for approval in found:  # oldest first: the last one of a unit is its latest
        latest[approval.unit] = approval
    return {unit: a for unit, a in latest.items() if not a.withdrawn}


def in_force(home_root: os.PathLike, period_key: str) -> dict[str, Approval]:
    """The approval in force of each unit (ward code, or the district's) of a period: its latest one,
    unless withdrawn (a withdrawal does not bring back the approval the withdrawn one replaced)."""
    return _in_force(approvals(home_root, period_key))


def covering(home_root: os.PathLike, ward_code: str | None, start: dt.date, end: dt.date) -> list[Approval]:
    """The approvals in force whose period overlaps ``start``–``end`` and that cover the ward (its own,
    or the district's); for a district-wide file (``ward_code`` None) every one of them."""
    periods: dict[str, list[Approval]] = {}
    for approval in approvals(home_root):
        periods.setdefault(approval.period_key, []).append(approval)
    return [
        approval
        for key, found in sorted(periods.items())
        if found[0].period_start <= end and start <= found[0].period_end
        for approval in _in_force(found).values()
        if ward_code is None or approval.ward_code in (None, ward_code)
    ]


class Conflict(RuntimeError):
    """The approvals of the period changed between the decision and its record (another session)."""


def _read_period(con: sqlite3.Connection, period_key: str) -> list[Approval]:
    rows = con.execute(
        SELECT + " where a.period_key = ? order by a.approved_at, a.approval_id", (period_key,)
    ).fetchall()
    return [_approval(row) for row in rows]


def record(
    home_root: os.PathLike, approval: Approval, snapshots: Iterable[Snapshot], based_on: dict[str, str]
) -> Approval:
    """Write an approval with its snapshots, all or nothing, under the ledger's write lock. It is given
    the next number of its unit (``2025-BCT-6T.09541.2``: period, unit, count). ``based_on``: the
    approval ids in force (unit → id) that the decision read; ``Conflict`` if they changed meanwhile
    (another approval or withdrawal of the period), so two sessions never both approve."""
    with _writing(home_root) as con:
        found = _read_period(con, approval.period_key)
        if {unit: a.approval_id for unit, a in _in_force(found).items()} != based_on:
            raise Conflict(approval.period_key)
        number = sum(1 for a in found if a.unit == approval.unit) + 1
        a = dataclasses.replace(approval, approval_id=f"{approval.period_key}.{approval.unit}.{number}")
        con.execute(
            "insert into approvals values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a.approval_id,
                a.period_key,
                a.period_label,
                a.period_start.isoformat(),
                a.period_end.isoformat(),
                a.ward_code,
                a.unit_name,
                a.approved_at.isoformat(timespec="seconds"),
                a.username,
                a.name,
                a.role,
                a.figures_hash,
                a.data_as_of.isoformat(timespec="seconds") if a.data_as_of else None,
                a.override_reason,
            ),
        )
        for snap in snapshots:
            con.execute(
                "insert into snapshots values (?, ?, ?, ?)",
                (a.approval_id, snap.edition, snap.figures_hash, snap.report_data),
            )
            con.executemany(
                "insert into approved_figures values (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.approval_id,
                        snap.edition,
                        f["org_unit_code"],
                        f["indicator_code"],
                        f["numerator"],
                        f["denominator"],
                        f["value"],
                    )
                    for f in snap.figures
                ],
            )
    return a


def withdraw(
    home_root: os.PathLike, approval: Approval, at: dt.datetime, username: str, role: str, reason: str
) -> None:
    """Withdraw ``approval`` if it is still the one in force of its unit (else ``Conflict``)."""
    with _writing(home_root) as con:
        current = _in_force(_read_period(con, approval.period_key)).get(approval.unit)
        if current is None or current.approval_id != approval.approval_id:
            raise Conflict(approval.period_key)
        con.execute(
            "insert into withdrawals values (?, ?, ?, ?, ?)",
            (approval.approval_id, at.isoformat(timespec="seconds"), username, role, reason),
        )


def snapshot(home_root: os.PathLike, approval_id: str, edition: str) -> str | None:
    """The report data of one edition as approved (JSON), None when the approval does not cover it."""
    with closing(_connect(home_root)) as con:
        row = con.execute(
            "select report_data from snapshots where approval_id = ? and edition = ?", (approval_id, edition)
        ).fetchone()
    return row[0] if row else None


def snapshot_hashes(home_root: os.PathLike, approval_id: str) -> dict[str, str]:
    """The editions an approval covers and the hash of each as approved."""
    with closing(_connect(home_root)) as con:
        rows = con.execute(
            "select edition, figures_hash from snapshots where approval_id = ? order by edition",
            (approval_id,),
        ).fetchall()
    return dict(rows)


def state(home_root: os.PathLike) -> str:
    """What the ledger holds, in a few words (for the fingerprint of a run that would change nothing)."""
    if not ledger_path(home_root).exists():
        return "no ledger"
    with closing(_connect(home_root)) as con:
        counts = [
            con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("approvals", "withdrawals")
        ]
    return f"approvals {counts[0]}, withdrawals {counts[1]}"


def table_rows(home_root: os.PathLike, table: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    """A ledger table's columns (name, declared type) and rows (``approvals``, ``withdrawals`` or
    ``approved_figures``), for the warehouse's copy."""
    if table not in TABLES:
        raise ValueError(table)
    with closing(_connect(home_root)) as con:
        columns = [(row[1], row[2]) for row in con.execute(f"pragma table_info({table})")]
        return columns, con.execute(f"select * from {table}").fetchall()
