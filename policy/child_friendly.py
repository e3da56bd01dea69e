"""The child-friendly cross-check as every surface words it, and what a reader may be told of it.

The dashboard (ward and protection pages, the overview's tile) and the report's PL5b both call these, so
a ward's criteria read the same on screen and on paper. Outside the protection role the abuse and death
counts under 5 are hidden (access.indicator_suppression); a criterion whose figure is hidden for the
reader shows no data score and no verdict either, since a score maps back to the count ("no death" is
75 points). A ward's standing on the data is told only when the criteria the reader can see settle it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from base import vi

HIDDEN = "hidden"  # a verdict withheld from this reader
VERDICTS = {
    "over_scored": ("Tự chấm cao hơn số liệu", "Over-scored"),
    "under_scored": ("Tự chấm thấp hơn số liệu", "Under-scored"),
    "agrees": ("Khớp số liệu", "Agrees"),
    "no_data": ("Không có số liệu", "No data"),
    HIDDEN: ("Ẩn (số nhỏ)", "Hidden (small counts)"),
}
DISAGREEMENTS = ("over_scored", "under_scored")
# why a criterion with rules has no data score (fct_child_friendly_evidence.missing_reason)
MISSING = {
    "year_not_complete": ("chưa đủ số liệu cả năm", "the year is not complete"),
    "ward_changed": ("phường đổi địa giới sau năm này", "the ward's bounds changed since"),
    "files_missing": ("thiếu tệp số liệu của năm", "files of the year are missing"),
    "no_members": ("không có trường hợp nào", "none in the year"),
}
MARKS = ("numerator_mark", "denominator_mark")


def text(pair: tuple[str, str], english: bool = False) -> str:
    return pair[1] if english else pair[0]


def is_hidden(parts: Iterable[Mapping[str, Any]]) -> bool:
    """Whether a criterion's figures hold a count hidden from the reader (a part carries a mark)."""
    return any(part.get(mark) for part in parts for mark in MARKS)


def _count(value: Any, mark: Any, english: bool) -> str:
    if mark:
        return ("hidden" if english else "ẩn") if mark == "hidden" else str(mark)
    return vi.count(value)


def figure_text(part: Mapping[str, Any], english: bool = False) -> str:
    """One part's figures: 'TCĐĐ dưới 1 tuổi: 70/97 (72,2%)', 'Tử vong do TNTT: 0', '…: <5/<5 (ẩn)', or
    why there is none ('…: thiếu tệp số liệu của năm'). ``part``: short_vi / short_en, unit, numerator,
    denominator, numerator_mark, denominator_mark, missing_reason."""
    name = part["short_en" if english else "short_vi"]
    reason = part.get("missing_reason")
    if reason and reason != "no_members":
        return f"{name}: {text(MISSING[reason], english)}"
    numerator = _count(part["numerator"], part.get("numerator_mark"), english)
    if part["unit"] == "count":
        return f"{name}: {numerator}"
    denominator = _count(part["denominator"], part.get("denominator_mark"), english)
    if not is_hidden([part]) and not part["denominator"]:
        return f"{name}: {text(MISSING['no_members'], english)}"
    if is_hidden([part]):
        return f"{name}: {numerator}/{denominator} ({'hidden' if english else 'ẩn'})"
    share = f"{part['numerator'] / part['denominator'] * 100:.1f}"
    return f"{name}: {numerator}/{denominator} ({share if english else share.replace('.', ',')}%)"


def standing_on_data(
    meets_on_data: bool | None, criteria: Iterable[Mapping[str, Any]], hidden: set[int]
) -> bool | None:
    """A ward's standing on the data as the reader may know it: the mart's (None while the year is not
    complete) when nothing is hidden; with hidden criteria, False only when a criterion the reader can
    see is not met on the data (then nothing hidden changes it), else untold (None)."""
    if meets_on_data is None or not hidden:
        return meets_on_data
    if any(not c["met_on_data"] for c in criteria if c["criterion"] not in hidden):
        return False
    return None
