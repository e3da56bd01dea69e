"""The district's clock: registry times are Vietnam local time (UTC+7, no daylight saving), whatever
the server's time zone, so a deadline day means the same day for the office and the warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

DISTRICT_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
DISTRICT_ZONE = "Asia/Ho_Chi_Minh"  # the same by its IANA name, for DuckDB: current_date is the district day


def local_time(timestamp: float) -> dt.datetime:
    """A POSIX timestamp (a file's modification time) as naive district local time."""
    return dt.datetime.fromtimestamp(timestamp, DISTRICT_TZ).replace(tzinfo=None)


def local_now() -> dt.datetime:
    return dt.datetime.now(DISTRICT_TZ).replace(tzinfo=None)


def timestamp(local: dt.datetime) -> float:
    """The POSIX timestamp of a naive district local time (``local_time``'s inverse), whatever the
    server's time zone."""
    return local.replace(tzinfo=DISTRICT_TZ).timestamp()


DEMO_AS_OF_FILE = "demo_as_of.txt"  # in a home's generated/ folder, written by `treem generate`


def data_now(generated: Path) -> dt.datetime:
    """The "now" that freshness is judged against for a home whose generated/ folder is ``generated``:
    a demo home's own simulated today (the time of its last extract, which the generator writes to
    ``generated/demo_as_of.txt``), so a demo of 2025 does not turn stale on a later machine date; any
    other home, the district's real local time."""
    try:
        text = (generated / DEMO_AS_OF_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return local_now()
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return local_now()
