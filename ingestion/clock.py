"""The district's clock: registry times are Vietnam local time (UTC+7, no daylight saving), whatever
the server's time zone, so a deadline day means the same day for the office and the warehouse."""

from __future__ import annotations

import datetime as dt

DISTRICT_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def local_time(timestamp: float) -> dt.datetime:
    """A POSIX timestamp (a file's modification time) as naive district local time."""
    return dt.datetime.fromtimestamp(timestamp, DISTRICT_TZ).replace(tzinfo=None)


def local_now() -> dt.datetime:
    return dt.datetime.now(DISTRICT_TZ).replace(tzinfo=None)
