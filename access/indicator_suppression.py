"""Small protection counts in the indicator mart, as everyone but the protection role reads them
(docs/domain.md §10): the dashboard's views (dashboard/scope.py) and the report workbooks' calendar-year
figures (PL5b) hide the same cells."""

from __future__ import annotations

import duckdb
import pandas as pd

from access.disclosure import marker, suppress

# indicator → the counts of it that are hidden when small (outside the protection role)
SMALL_COUNT_INDICATORS = {
    "abuse_timely_intervention": ("numerator", "denominator"),
    "injury_deaths": ("numerator", "baseline"),
}
# how each hidden count of a row is written ("<5", "x"), and its value ("hidden" for a rate)
MARK_COLUMNS = ("numerator_mark", "denominator_mark", "baseline_mark", "value_mark")


def small_count_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every row of fct_ward_indicators of the indicators whose small counts are hidden."""
    marks = ", ".join("?" for _ in SMALL_COUNT_INDICATORS)
    return con.execute(
        f"select * from fct_ward_indicators where indicator_code in ({marks})", list(SMALL_COUNT_INDICATORS)
    ).df()


def shown_periods(rows: pd.DataFrame) -> pd.Series:
    """The rows whose period shows protection counts outside the protection role (small ones hidden):
    calendar years (a year to date through December is the same window, so it shows the same
    figures) and the plan's report periods, which the report workbooks print for every role that
    downloads them. Months, quarters and other year-to-date windows nest in these, so one period's
    totals minus another's would give hidden counts back: they show none."""
    start, end = pd.to_datetime(rows["period_start"]), pd.to_datetime(rows["period_end"])
    whole_year = (start.dt.month == 1) & (start.dt.day == 1) & (end.dt.month == 12) & (end.dt.day == 31)
    whole_year &= start.dt.year == end.dt.year
    return rows["period_type"].isin(("year", "report")) | whole_year


def hide_small_counts(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``rows`` (:func:`small_count_rows`) with counts of a calendar year hidden when small
    (complementary suppression per year and indicator over the wards and the district), and counts of
    other periods not at all; hidden counts, what is computed from them and the member rows are null,
    marked, and ``suppressed`` says so."""
    rows["suppressed"] = False
    hidden_cells, cells_of = [], {}
    other_periods = ~shown_periods(rows)
    for (_, code), group in rows[~other_periods].groupby(["period_key", "indicator_code"]):
        cells, lines = {}, []
        district = group.index[group["org_unit_level"] == "district"]
        wards = list(group.index[group["org_unit_level"] == "ward"])
        for measure in SMALL_COUNT_INDICATORS[code]:
            for i in group.index:
                value = group.at[i, measure]
                cells[(i, measure)] = None if pd.isna(value) else int(value)
            for d in district:
                lines.append(((d, measure), [(w, measure) for w in wards]))
        hidden_cells.extend(suppress(cells, lines, threshold))
        cells_of.update(cells)
    for column in ("numerator", "denominator", "baseline", "value", "target", "meets_target", "member_rows"):
        rows[column] = rows[column].astype("object")
    for column in MARK_COLUMNS:
        rows[column] = None
    rows["member_rows"] = None  # the rows behind a figure count the cases themselves
    by_year_only = [
        (i, measure)
        for i in rows.index[other_periods]
        for measure in SMALL_COUNT_INDICATORS[rows.at[i, "indicator_code"]]
        if not pd.isna(rows.at[i, measure])
    ]
    marks = {cell: marker(cells_of[cell], threshold) for cell in hidden_cells}
    marks.update({cell: "hidden" for cell in by_year_only})
    for (i, measure), mark in marks.items():
        # how the hidden count is written: "<5" (0-4), "x" (5 or more, hidden to protect another), or
        # "hidden" (shown for calendar years only)
        rows.at[i, f"{measure}_mark"] = mark
        rows.at[i, measure] = None
        rows.at[i, "suppressed"] = True
        # what is computed from a hidden count: the rate or count shown, or the target (90% of 2024)
        if measure in ("numerator", "denominator"):
            rows.at[i, "value"] = None
            is_count = rows.at[i, "indicator_code"] == "injury_deaths"
            rows.at[i, "value_mark"] = rows.at[i, "numerator_mark"] if is_count else "hidden"
        if measure == "baseline":
            rows.at[i, "target"] = None
        rows.at[i, "meets_target"] = None
    return rows
