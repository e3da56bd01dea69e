"""Judgement rules shared by every surface: how an indicator's value is judged against its target.

The dashboard (every page) and the report workbook (the "Đánh giá" column) both call
``indicator_status``, so a figure reads the same on screen and on paper: 91,8% against a 95% target
is "Gần đạt" in both. The surfaces add only their own presentation (colours, cell formats).
"""

from __future__ import annotations

MET = "Đạt"
CLOSE = "Gần đạt"
BEHIND = "Chưa đạt"
CHECK = "Cần kiểm tra"  # a negative value: a data-quality signal, never a figure to print
NO_DATA = "Chưa có số liệu"
NO_TARGET = "Không có chỉ tiêu"  # indicators without a numeric target (e.g. 'rising')
HIDDEN = "Ẩn"  # a figure hidden from this role (small counts): not judged, and never read as "no data"

STATUS_EN = {
    MET: "Met",
    CLOSE: "Close",
    BEHIND: "Behind",
    CHECK: "Check the data",
    NO_DATA: "No data",
    NO_TARGET: "No numeric target",
    HIDDEN: "Hidden",
}
# "Close": within 5 percentage points of a percent target, or within 10% of a count target.
CLOSE_POINTS = 0.05
CLOSE_SHARE = 0.10


def missing(x: object) -> bool:
    """None, NaN, or a pandas missing value (NA, NaT)."""
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN and NaT are not equal to themselves
    except TypeError:  # pandas.NA: its comparison is NA, whose truth is ambiguous
        return True


def is_negative(x: object) -> bool:
    """A number below zero (a count or a share that cannot be negative: a data question)."""
    if isinstance(x, bool | str) or missing(x):
        return False
    try:
        return float(x) < 0
    except (TypeError, ValueError):
        return False


def indicator_status(
    value: object, target: object, target_comparison: object, direction: object, mark: object = None
) -> str:
    """One of the STATUS_EN keys for a value against its target, direction-aware; ``mark`` is the
    value's hidden-count mark (a string when the figure is hidden from the viewer: 'Ẩn').

    'Gần đạt' (close) is a value that misses the target by at most 5 percentage points (percent
    targets) or 10% of the target (count targets: 'at_most_share_of_baseline'). A negative value is a
    data question ('Cần kiểm tra'); no numeric target ('rising') is 'Không có chỉ tiêu'.
    """
    if isinstance(mark, str):
        return HIDDEN
    if missing(value):
        return NO_DATA
    value = float(value)
    if value < 0:
        return CHECK
    if missing(target) or target_comparison not in ("at_least", "at_most", "at_most_share_of_baseline"):
        return NO_TARGET
    target = float(target)
    lower_is_better = (
        target_comparison != "at_least" if missing(direction) else (direction == "lower_is_better")
    )
    gap = CLOSE_SHARE * abs(target) if target_comparison == "at_most_share_of_baseline" else CLOSE_POINTS
    if lower_is_better:
        if value <= target:
            return MET
        return CLOSE if value <= target + gap + 1e-9 else BEHIND
    if value >= target:
        return MET
    return CLOSE if value >= target - gap - 1e-9 else BEHIND
