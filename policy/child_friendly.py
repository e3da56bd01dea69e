"""The child-friendly cross-check as every surface words it, and what a reader may be told of it.

The dashboard's views (dashboard/scope.py) and the report's PL5b both call these, so a ward's criteria
read the same on screen and on paper. Outside the protection role the abuse and death counts under 5 are
hidden (access.indicator_suppression); a criterion whose figure holds a hidden count shows no data score
and no verdict either, since a score maps back to the count ("no death" is 75 points). A ward's
standing on the data is told only when the criteria the reader can see settle it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from base import vi

# the cross-check's tables, in the order :func:`withheld` takes and returns them
TABLES = ("fct_child_friendly_cross_check", "fct_child_friendly_evidence", "agg_child_friendly_cross_check")
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


def withheld(
    criteria: pd.DataFrame, evidence: pd.DataFrame, wards: pd.DataFrame, hidden_counts: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """fct_child_friendly_cross_check, fct_child_friendly_evidence and agg_child_friendly_cross_check
    rows as a reader for whom ``hidden_counts`` (access.indicator_suppression.hide_small_counts) hides
    counts may read them. A criterion with a data score whose part rests on a hidden count gets the
    verdict ``hidden`` and no data score, difference, score or met on the data; the part loses its
    counts and points and carries their marks; its ward's standing on the data is
    :func:`standing_on_data`'s, its total on the data is dropped and its counts of criteria are those
    of the criteria the reader sees."""
    criteria, evidence, wards = (_plain(frame) for frame in (criteria, evidence, wards))
    keys = ["org_unit_code", "period_key", "indicator_code"]
    marked = hidden_counts[hidden_counts[list(MARKS)].notna().any(axis=1)][[*keys, *MARKS]]
    evidence = evidence.merge(
        marked.rename(columns={"org_unit_code": "ward_code"}),
        on=["ward_code", "period_key", "indicator_code"],
        how="left",
    )
    marks_found = evidence[list(MARKS)].notna().any(axis=1)
    evidence = _plain(evidence)
    evidence.loc[marks_found, ["numerator", "denominator", "value", "points"]] = None
    criterion = ["ward_code", "assessment_year", "criterion"]
    touched = evidence.loc[marks_found, criterion].drop_duplicates()
    criteria = _plain(criteria.merge(touched.assign(_touched=True), on=criterion, how="left"))
    hidden = criteria["_touched"].eq(True) & criteria["data_score"].notna()
    criteria = criteria.drop(columns="_touched")
    criteria.loc[hidden, ["data_score", "score_difference", "score_on_data", "met_on_data"]] = None
    criteria.loc[hidden, "verdict"] = HIDDEN
    for i, ward in wards.iterrows():
        mine = criteria[
            (criteria["ward_code"] == ward["ward_code"])
            & (criteria["assessment_year"] == ward["assessment_year"])
        ]
        secret = set(mine.loc[mine["verdict"] == HIDDEN, "criterion"])
        verdicts = mine["verdict"]
        on_data = standing_on_data(ward["meets_standard_on_data"], mine.to_dict("records"), secret)
        wards.loc[i, "meets_standard_on_data"] = on_data
        wards.loc[i, "contradicted"] = (
            (None if on_data is None else not on_data) if ward["meets_standard"] else False
        )
        wards.loc[i, "criteria_checked"] = int((~verdicts.isin(("no_data", HIDDEN))).sum())
        wards.loc[i, "criteria_agreeing"] = int((verdicts == "agrees").sum())
        wards.loc[i, "criteria_over_scored"] = int((verdicts == "over_scored").sum())
        wards.loc[i, "criteria_under_scored"] = int((verdicts == "under_scored").sum())
        wards.loc[i, "criteria_disagreeing"] = int(verdicts.isin(DISAGREEMENTS).sum())
        if secret:
            wards.loc[i, ["total_points_on_data", "criteria_met_on_data"]] = None
    return criteria, evidence, wards


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Python values, None for every missing one (DuckDB gives NaN, NA or NaT)."""
    return frame.astype(object).where(frame.notna(), None)
