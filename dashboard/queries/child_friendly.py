"""The child-friendly ward standard on the dashboard: each ward's standing by its own self-assessment and
on the data, and the 13 criteria with both scores (fct_child_friendly_cross_check), worded and withheld
as policy.child_friendly says for the signed-in reader."""

from __future__ import annotations

import pandas as pd

from dashboard import formatting
from dashboard.i18n import lang, t
from dashboard.queries.serving import has_table, query
from policy import child_friendly as policy

VERDICT_ORDER = {"over_scored": 0, "under_scored": 1, "agrees": 2, policy.HIDDEN: 3, "no_data": 4}
CRITERIA_COLUMNS = [
    "ward_code",
    "assessment_year",
    "criterion",
    "criterion_name",
    "max_points",
    "self_score",
    "data_score",
    "verdict",
    "verdict_text",
    "figures",
    "met_on_data",
]


def available() -> bool:
    """Whether the serving copy holds the cross-check (an older copy does not)."""
    return has_table("fct_child_friendly_cross_check")


def cross_check(year: int, ward_code: str | None = None) -> pd.DataFrame:
    """The 13 criteria of each ward's latest self-assessment of a year up to ``year`` (one ward, or
    every ward the viewer may see), disagreements first: ward_code, assessment_year, criterion,
    criterion_name, max_points, self_score, data_score, verdict, verdict_text, figures (the parts'
    figures of the assessed year, with the small-count marks the viewer's indicator figures carry),
    met_on_data. A criterion whose figures hold a count hidden from the viewer has no data score and
    the verdict ``hidden`` (dashboard/scope.py's views)."""
    if not available():
        return pd.DataFrame(columns=CRITERIA_COLUMNS)
    frame = query(
        """
        with latest as (
            select ward_code, max(assessment_year) as assessment_year
            from fct_child_friendly_cross_check
            where assessment_year <= ? and (? is null or ward_code = ?)
            group by ward_code
        )
        select c.ward_code, c.assessment_year, c.criterion, c.criterion_name_vi, c.criterion_name_en,
               c.max_points, c.self_score, c.data_score, c.verdict, c.met_on_data,
               e.part, e.missing_reason, i.short_vi, i.short_en, i.unit,
               f.numerator, f.denominator, f.numerator_mark, f.denominator_mark
        from fct_child_friendly_cross_check c
        join latest using (ward_code, assessment_year)
        left join fct_child_friendly_evidence e using (ward_code, assessment_year, criterion)
        left join indicators i on i.indicator_code = e.indicator_code
        left join fct_ward_indicators f
          on f.org_unit_code = e.ward_code and f.period_key = e.period_key
         and f.indicator_code = e.indicator_code
        order by c.ward_code, c.criterion, e.part
        """,
        year,
        ward_code,
        ward_code,
    )
    if frame.empty:
        return pd.DataFrame(columns=CRITERIA_COLUMNS)
    frame = frame.astype(object).where(frame.notna(), None)  # a hidden count comes back as NA
    english = lang() == "en"
    rows = []
    for (ward, criterion), group in frame.groupby(["ward_code", "criterion"], sort=False):
        first = group.iloc[0]
        parts = [part for _, part in group.iterrows() if part["part"] is not None]
        verdict = first["verdict"]
        rows.append(
            {
                "ward_code": ward,
                "assessment_year": int(first["assessment_year"]),
                "criterion": int(criterion),
                "criterion_name": first["criterion_name_en" if english else "criterion_name_vi"],
                "max_points": int(first["max_points"]),
                "self_score": int(first["self_score"]),
                "data_score": None if first["data_score"] is None else int(first["data_score"]),
                "verdict": verdict,
                "verdict_text": policy.text(policy.VERDICTS[verdict], english),
                "figures": "; ".join(policy.figure_text(part, english) for part in parts)
                or t("Không có trong kho dữ liệu", "Not in the warehouse"),
                "met_on_data": first["met_on_data"],
            }
        )
    out = pd.DataFrame(rows, columns=CRITERIA_COLUMNS)
    order = out["verdict"].map(VERDICT_ORDER)
    return out.assign(_order=order).sort_values(["ward_code", "_order", "criterion"]).drop(columns="_order")


def standings(period_key: str) -> pd.DataFrame:
    """Each ward's child-friendly standing at the end of the period, as child_friendly_ward counts it:
    its own latest self-assessment of a year up to the period's end (agg_child_friendly_wards), one row
    per ward of today: ward_code, assessment_year, total_points, max_points, criteria_assessed,
    criteria_met, criteria_required, meets_standard, ``standing`` ('Đạt', 'Chưa đạt', 'Chưa tự đánh
    giá') and ``standing_detail`` ('Đạt · 935/1.000 điểm, 13/13 tiêu chí'; the assessment's year added
    when it is not the period's); and the same assessment held against the data as the viewer may
    know it (agg_child_friendly_cross_check through dashboard/scope.py): year_complete,
    meets_standard_on_data (None: not told), criteria_disagreeing (among the criteria the viewer sees),
    contradicted (meets the standard by its own scores and not on the data; None: not told). Never a
    percentage: per ward the indicator is met or not."""
    columns = ["ward_code", "assessment_year", "total_points", "max_points", "criteria_assessed"]
    columns += ["criteria_met", "criteria_required", "meets_standard", "standing", "standing_detail"]
    columns += ["year_complete", "meets_standard_on_data", "criteria_disagreeing", "contradicted"]
    if not has_table("agg_child_friendly_wards"):  # a serving copy published before the table
        return pd.DataFrame(columns=columns)
    checks = (  # a serving copy published before the cross-check has none
        "agg_child_friendly_cross_check"
        if has_table("agg_child_friendly_cross_check")
        else "(select null::varchar as ward_code, null::integer as assessment_year, "
        "null::boolean as year_complete, null::boolean as meets_standard_on_data, "
        "null::bigint as criteria_disagreeing, null::boolean as contradicted where false)"
    )
    frame = query(
        f"""
        with period as (select period_end from dim_period where period_key = ?)
        select w.ward_code, year(p.period_end) as period_year, a.assessment_year, a.total_points,
               a.max_points, a.criteria_assessed, a.criteria_met, a.criteria_required, a.meets_standard,
               c.year_complete, c.meets_standard_on_data, c.criteria_disagreeing, c.contradicted
        from dim_ward w
        cross join period p
        left join agg_child_friendly_wards a
          on a.ward_code = w.ward_code and a.assessment_year <= year(p.period_end)
        left join {checks} c on c.ward_code = a.ward_code and c.assessment_year = a.assessment_year
        where w.is_current
        qualify row_number() over (partition by w.ward_code order by a.assessment_year desc nulls last) = 1
        order by w.ward_code
        """,
        period_key,
    )
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.astype(object).where(frame.notna(), None)
    texts = [_standing_texts(row) for row in frame.itertuples(index=False)]
    return frame.assign(
        standing=[t["standing"] for t in texts], standing_detail=[t["standing_detail"] for t in texts]
    )[columns]


def _standing_texts(row) -> dict:
    if row.assessment_year is None:
        text = t("Chưa tự đánh giá", "Not self-assessed")
        return {"standing": text, "standing_detail": text}
    standing = t("Đạt", "Meets") if row.meets_standard else t("Chưa đạt", "Does not meet")
    points = formatting.number(int(row.total_points))
    if row.max_points is not None:
        points += "/" + formatting.number(int(row.max_points))
    detail = (
        f"{standing} · {points} {t('điểm', 'points')}, "
        f"{int(row.criteria_met)}/{int(row.criteria_required)} {t('tiêu chí', 'criteria')}"
    )
    if int(row.assessment_year) != int(row.period_year):
        detail += t(" (tự đánh giá năm ", " (self-assessed in ") + f"{int(row.assessment_year)})"
    return {"standing": standing, "standing_detail": detail}


def contradicted_text(frame: pd.DataFrame) -> str | None:
    """'Số liệu không ủng hộ 2/5 phường tự đánh giá đạt chuẩn' (and how many of them the viewer cannot
    be told about) from :func:`standings`; None before any ward meets the standard by its own scores
    or when the serving copy has no cross-check."""
    recognised = frame[frame["meets_standard"].fillna(False).astype(bool) & frame["year_complete"].notna()]
    complete = recognised[recognised["year_complete"].astype(bool)]
    if complete.empty:
        return None
    n = int((complete["contradicted"] == True).sum())  # noqa: E712 (None: untold)
    untold = int(complete["contradicted"].isna().sum())
    said = t(
        f"Số liệu không ủng hộ {n}/{len(complete)} phường tự đánh giá đạt chuẩn",
        f"The data contradict {n} of {len(complete)} wards that assess themselves as meeting it",
    )
    if untold:
        said += t(
            f" ({untold} phường chưa kết luận được: số nhỏ được ẩn)",
            f" ({untold} cannot be told: small counts are hidden)",
        )
    return said
