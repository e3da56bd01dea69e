"""The child-friendly ward standard on the dashboard: each ward's standing by its own self-assessment and
on the data, and the 13 criteria with both scores (fct_child_friendly_cross_check)."""

from __future__ import annotations

import pandas as pd

from dashboard import formatting
from dashboard.i18n import lang, t
from dashboard.queries.serving import has_table, query

VERDICTS = {
    "over_scored": ("Tự chấm cao hơn số liệu", "Over-scored"),
    "under_scored": ("Tự chấm thấp hơn số liệu", "Under-scored"),
    "agrees": ("Khớp số liệu", "Agrees"),
    "no_data": ("Không có số liệu", "No data"),
}
VERDICT_ORDER = {"over_scored": 0, "under_scored": 1, "agrees": 2, "no_data": 3}


def verdict_text(verdict: str) -> str:
    return t(*VERDICTS.get(verdict, (verdict, verdict)))


def standings(period_key: str) -> pd.DataFrame:
    """Each ward's child-friendly standing at the end of the period, as child_friendly_ward counts it:
    its own latest self-assessment of a year up to the period's end (agg_child_friendly_wards), one row
    per ward of today: ward_code, assessment_year, total_points, max_points, criteria_assessed,
    criteria_met, criteria_required, meets_standard, ``standing`` ('Đạt', 'Chưa đạt', 'Chưa tự đánh
    giá') and ``standing_detail`` ('Đạt · 935/1.000 điểm, 13/13 tiêu chí'; the assessment's year added
    when it is not the period's); and the same assessment held against the data
    (agg_child_friendly_cross_check): meets_standard_on_data, criteria_disagreeing, contradicted (meets
    the standard by its own scores, not on the data). Never a percentage: per ward the indicator is met
    or not."""
    columns = ["ward_code", "assessment_year", "total_points", "max_points", "criteria_assessed"]
    columns += ["criteria_met", "criteria_required", "meets_standard", "standing", "standing_detail"]
    columns += ["meets_standard_on_data", "criteria_disagreeing", "contradicted"]
    if not has_table("agg_child_friendly_wards"):  # a serving copy published before the table
        return pd.DataFrame(columns=columns)
    checks = (  # a serving copy published before the cross-check has none
        "agg_child_friendly_cross_check"
        if has_table("agg_child_friendly_cross_check")
        else "(select null::varchar as ward_code, null::integer as assessment_year, "
        "null::boolean as meets_standard_on_data, null::bigint as criteria_disagreeing, "
        "null::boolean as contradicted where false)"
    )
    frame = query(
        f"""
        with period as (select period_end from dim_period where period_key = ?)
        select w.ward_code, year(p.period_end) as period_year, a.assessment_year, a.total_points,
               a.max_points, a.criteria_assessed, a.criteria_met, a.criteria_required, a.meets_standard,
               c.meets_standard_on_data, c.criteria_disagreeing, c.contradicted
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
    standing, detail = [], []
    for row in frame.itertuples(index=False):
        if pd.isna(row.assessment_year):
            standing.append(t("Chưa tự đánh giá", "Not self-assessed"))
            detail.append(standing[-1])
            continue
        standing.append(t("Đạt", "Meets") if bool(row.meets_standard) else t("Chưa đạt", "Does not meet"))
        points = formatting.number(int(row.total_points))
        if not pd.isna(row.max_points):
            points += "/" + formatting.number(int(row.max_points))
        text = (
            f"{standing[-1]} · {points} {t('điểm', 'points')}, "
            f"{int(row.criteria_met)}/{int(row.criteria_required)} {t('tiêu chí', 'criteria')}"
        )
        if int(row.assessment_year) != int(row.period_year):
            text += t(" (tự đánh giá năm ", " (self-assessed in ") + f"{int(row.assessment_year)})"
        detail.append(text)
    return frame.assign(standing=standing, standing_detail=detail)[columns]


def contradicted_text(frame: pd.DataFrame) -> str | None:
    """'Số liệu không ủng hộ 2/5 phường tự đánh giá đạt chuẩn' from :func:`standings`; None before any
    ward meets the standard by its own scores or when the serving copy has no cross-check."""
    recognised = frame[frame["meets_standard"].fillna(False).astype(bool)]
    if recognised.empty or recognised["contradicted"].isna().all():
        return None
    n = int(recognised["contradicted"].fillna(False).astype(bool).sum())
    return t(
        f"Số liệu không ủng hộ {n}/{len(recognised)} phường tự đánh giá đạt chuẩn",
        f"The data contradict {n} of {len(recognised)} wards that assess themselves as meeting it",
    )


def _figure(row: pd.Series) -> str:
    """One part's figures as a reader needs them: 'Tiêm chủng đầy đủ: 96/100 (96,0%)', a count as
    'Tử vong do TNTT: 1'; a hidden small count as its mark; no figure while the year is not complete."""
    row = row.map(lambda v: None if v is pd.NA else v)  # a hidden count comes back as NA
    name = row["short_en"] if lang() == "en" else row["short_vi"]
    if pd.isna(row["period_key"]):
        return f"{name}: " + t("chưa đủ số liệu cả năm", "the year is not complete")
    if row["unit"] == "count":
        return f"{name}: " + formatting.indicator_value(row["numerator"], "count", row["numerator_mark"])
    numerator = formatting.indicator_value(row["numerator"], "count", row["numerator_mark"])
    denominator = formatting.indicator_value(row["denominator"], "count", row["denominator_mark"])
    if not pd.isna(row["denominator"]) and int(row["denominator"]) == 0:
        return f"{name}: " + t("không có trường hợp nào", "none in the year")
    value = formatting.indicator_value(row["value"], "percent", row["value_mark"])
    return f"{name}: {numerator}/{denominator} ({value})"


def cross_check(year: int, ward_code: str | None = None) -> pd.DataFrame:
    """The 13 criteria of each ward's latest self-assessment of a year up to ``year`` (one ward, or
    every ward the viewer may see), disagreements first: ward_code, assessment_year, criterion,
    criterion_name, max_points, self_score, data_score, verdict, verdict_text, figures (the parts'
    figures of the assessed year, with the small-count marks the viewer's indicator figures carry)."""
    columns = ["ward_code", "assessment_year", "criterion", "criterion_name", "max_points", "self_score"]
    columns += ["data_score", "verdict", "verdict_text", "figures"]
    if not has_table("fct_child_friendly_cross_check"):
        return pd.DataFrame(columns=columns)
    frame = query(
        """
        with latest as (
            select ward_code, max(assessment_year) as assessment_year
            from fct_child_friendly_cross_check
            where assessment_year <= ? and (? is null or ward_code = ?)
            group by ward_code
        )
        select c.ward_code, c.assessment_year, c.criterion, c.criterion_name_vi, c.criterion_name_en,
               c.max_points, c.self_score, c.data_score, c.verdict,
               e.part, e.period_key, i.short_vi, i.short_en, i.unit,
               f.numerator, f.denominator, f.value, f.numerator_mark, f.denominator_mark, f.value_mark
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
        return pd.DataFrame(columns=columns)
    rows = []
    for (ward, criterion), parts in frame.groupby(["ward_code", "criterion"], sort=False):
        first = parts.iloc[0]
        figures = [_figure(part) for _, part in parts.iterrows() if not pd.isna(part["part"])]
        rows.append(
            {
                "ward_code": ward,
                "assessment_year": int(first["assessment_year"]),
                "criterion": int(criterion),
                "criterion_name": first["criterion_name_en" if lang() == "en" else "criterion_name_vi"],
                "max_points": int(first["max_points"]),
                "self_score": int(first["self_score"]),
                "data_score": None if pd.isna(first["data_score"]) else int(first["data_score"]),
                "verdict": first["verdict"],
                "verdict_text": verdict_text(first["verdict"]),
                "figures": "; ".join(figures) or t("Không có trong kho dữ liệu", "Not in the warehouse"),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    order = out["verdict"].map(VERDICT_ORDER)
    return out.assign(_order=order).sort_values(["ward_code", "_order", "criterion"]).drop(columns="_order")
