"""The immunisation page's figures: DTP dropout, doses per ward and vaccine, monthly series, vitamin A
rounds."""

from __future__ import annotations

import pandas as pd

from dashboard.queries.indicators import DROPOUT_FROM_MONTH
from dashboard.queries.serving import query


def dropout_by_ward(period_type: str, period_key: str) -> pd.DataFrame:
    """DTP1, DTP3 and dropout per ward (and the district) for one period."""
    return query(
        """
        select f.org_unit_code, f.org_unit_name, f.org_unit_level,
               f.denominator as dtp1, f.denominator - f.numerator as dtp3,
               f.value as dropout, f.target, f.meets_target, i.target_comparison, i.direction
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.indicator_code = 'dtp_dropout' and f.period_type = ? and f.period_key = ?
        order by f.org_unit_level = 'district', f.value desc nulls last, f.org_unit_name
        """,
        period_type,
        period_key,
    )


def doses_by_ward_vaccine(months: tuple[str, ...]) -> pd.DataFrame:
    """Doses per ward and vaccine over the given months ('2025-03', ...)."""
    marks = ", ".join("?" for _ in months)
    return query(
        f"""
        select w.ward_name, v.vaccine_label_vi as vaccine, a.vaccine_code, sum(a.doses) as doses
        from agg_immunization_ward_months a
        join (select ward_code, ward_name from dim_ward where is_current) w using (ward_code)
        join (select distinct vaccine_code, vaccine_label_vi from dim_vaccine) v using (vaccine_code)
        where a.dose_month in ({marks})
        group by all
        order by w.ward_name, a.vaccine_code
        """,
        *months,
    )


def dropout_trend() -> pd.DataFrame:
    """Year-to-date dropout at the end of each month from March on (``month``: 'T3/2025'), for every
    ward and the district; a negative rate (more DTP3 than DTP1 doses so far) is a data question, not a
    point on the line: ``dropout`` is null there and ``negative`` true."""
    return query(
        f"""
        select org_unit_name, org_unit_level,
               'T' || month(period_end) || '/' || year(period_end) as month, period_start,
               case when value >= 0 then value end as dropout, value < 0 as negative, denominator as dtp1
        from fct_ward_indicators
        where indicator_code = 'dtp_dropout' and period_type = 'ytd' and denominator > 0
          and month(period_end) >= {DROPOUT_FROM_MONTH}
        order by period_start, org_unit_name
        """
    )


def doses_by_vaccine_dose(months: tuple[str, ...]) -> pd.DataFrame:
    """Doses per ward × vaccine × dose number over the given months ('2025-03', ...), with the
    vaccine's label and schedule order (dim_vaccine), wards of today only."""
    marks = ", ".join("?" for _ in months)
    return query(
        f"""
        with labels as (
            select vaccine_code, dose_number, any_value(vaccine_label_vi) as vaccine_vi,
                   any_value(vaccine_name_en) as vaccine_en, min(recommended_age_days) as age_days,
                   bool_or(in_full_immunisation) as in_full_immunisation
            from dim_vaccine
            group by all
        )
        select a.ward_code, w.ward_name, a.vaccine_code, a.dose_number,
               coalesce(l.vaccine_vi, a.vaccine_code) as vaccine_vi,
               coalesce(l.vaccine_en, a.vaccine_code) as vaccine_en,
               l.age_days, l.in_full_immunisation, sum(a.doses) as doses
        from agg_immunization_ward_months a
        join (select ward_code, ward_name from dim_ward where is_current) w using (ward_code)
        left join labels l using (vaccine_code, dose_number)
        where a.dose_month in ({marks})
        group by all
        order by l.age_days nulls last, a.vaccine_code, a.dose_number, w.ward_name
        """,
        *months,
    )


def dtp_monthly(year: int, ward_code: str | None = None) -> pd.DataFrame:
    """DTP (DPT-VGB-Hib) doses 1 and 3 per month of the year, for the district (ward_code None)
    or one ward: dose_month ('2025-03'), dtp1, dtp3; months without doses are absent."""
    return query(
        """
        select dose_month,
               coalesce(sum(doses) filter (where dose_number = 1), 0) as dtp1,
               coalesce(sum(doses) filter (where dose_number = 3), 0) as dtp3
        from agg_immunization_ward_months
        where vaccine_code = 'DTP_HEPB_HIB' and dose_month like ? || '-%'
          and (? is null or ward_code = ?)
        group by dose_month
        order by dose_month
        """,
        str(year),
        ward_code,
        ward_code,
    )


def target_population(year: int, ward_code: str | None = None) -> int | None:
    """The year's fully-immunised denominator (register children whose first birthday falls in
    the year), for the district (ward_code None) or one ward; None when there is no such figure."""
    frame = query(
        """
        select denominator
        from fct_ward_indicators
        where indicator_code = 'fully_immunised_under1' and period_type = 'year' and period_key = ?
          and (case when ? is null then org_unit_level = 'district' else org_unit_code = ? end)
        """,
        str(year),
        ward_code,
        ward_code,
    )
    if frame.empty or pd.isna(frame.iloc[0]["denominator"]) or frame.iloc[0]["denominator"] <= 0:
        return None
    return int(frame.iloc[0]["denominator"])


def vitamin_a_rounds() -> pd.DataFrame:
    """Vitamin A coverage per round (the June and December months) for every ward and the
    district, rounds with a denominator only, newest round first."""
    return query(
        """
        select f.period_key, f.period_start, f.org_unit_code, f.org_unit_name, f.org_unit_level,
               f.numerator, f.denominator, f.value, f.target, f.meets_target,
               i.target_comparison, i.direction
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.indicator_code = 'vitamin_a_coverage' and f.period_type = 'month'
          and month(f.period_start) in (6, 12)
          and f.period_key in (
              select period_key from fct_ward_indicators
              where indicator_code = 'vitamin_a_coverage' and period_type = 'month' and denominator > 0
          )
        order by f.period_start desc, f.org_unit_level = 'district', f.org_unit_name
        """
    )
