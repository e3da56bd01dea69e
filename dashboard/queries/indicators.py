"""Indicator figures for the overview, the ward page and the sector pages: periods, figures per ward,
trends."""

from __future__ import annotations

import pandas as pd

from dashboard.queries.serving import query

DROPOUT_FROM_MONTH = 3  # DTP3 comes 8 weeks after DTP1 at the soonest: a year-to-date rate is noise before


def indicator_periods() -> pd.DataFrame:
    """Periods with at least one indicator figure, newest first within each period type:
    period_type, period_key, period_start, period_end, label_vi, label_en, report_kind and
    complete (the period ended on or before the data-as-of date)."""
    return query(
        """
        with has_data as (
            select period_key
            from fct_ward_indicators
            where value is not null and (denominator > 0 or denominator is null)
            group by period_key
        )
        select p.period_type, p.period_key, p.period_start, p.period_end, p.label_vi, p.label_en,
               p.report_kind,
               p.period_end <= coalesce((select max(cast(data_as_of as date)) from serving_meta),
                                        p.period_end) as complete
        from dim_period p
        join has_data using (period_key)
        order by p.period_type, p.period_end desc, p.sort_order desc
        """
    )


def indicator_catalogue() -> pd.DataFrame:
    """The indicator seed, in its own order."""
    return query(
        """
        select indicator_code, name_vi, name_en, short_vi, short_en, unit, direction, target,
               target_comparison, target_source, definition_vi, definition_en
        from indicators
        """
    )


def indicators_for_period(period_key: str) -> pd.DataFrame:
    """Every org unit (15 wards and the district) × indicator for one period, with the catalogue."""
    return query(
        """
        select f.org_unit_code, f.org_unit_name, f.org_unit_level, f.period_key, f.period_type,
               f.indicator_code, i.name_vi, i.name_en, i.short_vi, i.short_en, i.unit, i.direction,
               i.target_comparison,
               i.definition_vi, i.definition_en,
               f.numerator, f.denominator, f.value, f.target, f.meets_target, f.baseline, f.suppressed,
               f.numerator_mark, f.denominator_mark, f.baseline_mark, f.value_mark,
               f.ward_rank, f.wards_ranked
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.period_key = ?
        order by f.org_unit_level = 'district', f.org_unit_name, f.indicator_code
        """,
        period_key,
    )


def previous_period(period_key: str) -> dict | None:
    """The period of the same type (and report kind) that ended last before this one."""
    frame = query(
        """
        select prev.period_key, prev.label_vi, prev.label_en
        from dim_period cur
        join dim_period prev
          on prev.period_type = cur.period_type
         and coalesce(prev.report_kind, '') = coalesce(cur.report_kind, '')
         and prev.period_end < cur.period_end
        where cur.period_key = ?
        order by prev.period_end desc
        limit 1
        """,
        period_key,
    )
    return None if frame.empty else frame.iloc[0].to_dict()


def ward_year_trend(ward_code: str, year: int) -> pd.DataFrame:
    """Year-to-date value at the end of each month of the year ('T3/2025', in order), for the ward and
    the district; dropout only from March on and never negative, as `dropout_trend` draws it."""
    return query(
        f"""
        select f.indicator_code, f.org_unit_code, f.org_unit_name, f.org_unit_level,
               f.period_key, f.period_end, 'T' || month(f.period_end) || '/' || year(f.period_end) as month,
               case when f.indicator_code = 'dtp_dropout'
                     and (month(f.period_end) < {DROPOUT_FROM_MONTH} or f.value < 0) then null
                    else f.value end as value,
               f.target
        from fct_ward_indicators f
        where f.period_type = 'ytd' and year(f.period_end) = ?
          and (f.org_unit_code = ? or f.org_unit_level = 'district')
          and f.period_end <= coalesce((select max(cast(data_as_of as date)) from serving_meta),
                                       f.period_end)
        order by f.indicator_code, f.org_unit_level, f.period_end
        """,
        year,
        ward_code,
    )


PERIOD_ORDER = ("year", "report", "ytd", "half_year", "quarter", "month")


def sector_periods(
    codes: tuple[str, ...], types: tuple[str, ...] = ("year", "report", "month"), counts: bool = False
) -> pd.DataFrame:
    """The periods a sector page offers: those in which any of the indicators has a figure (a
    denominator above zero; with ``counts``, a numerator above zero will do), of the ``types`` asked
    for — the plan's indicator report periods as the report workbooks print them, never the
    work-results ones — and the year still running (year to date), in PERIOD_ORDER, newest first:
    period_type, period_key, period_start, period_end, label_vi, label_en (dim_period's)."""
    marks = ", ".join("?" for _ in codes)
    kinds = ", ".join(f"'{k}'" for k in types if k in PERIOD_ORDER)
    order = " ".join(f"when '{k}' then {i}" for i, k in enumerate(PERIOD_ORDER))
    figure = "(denominator > 0 or numerator > 0)" if counts else "denominator > 0"
    return query(
        f"""
        with periods as (
            select distinct period_type, period_key, period_start, period_end
            from fct_ward_indicators
            where indicator_code in ({marks}) and {figure}
        ),
        running as (
            select * from periods
            where period_type = 'ytd'
              and year(period_end) not in (select year(period_end) from periods where period_type = 'year')
            qualify period_end = max(period_end) over (partition by year(period_end))
        ),
        chosen as (
            select * from periods where period_type in ({kinds})
              and period_key not in (select period_key from dim_period where report_kind = 'work_results')
            union all
            select * from running
        )
        select c.*, p.label_vi, p.label_en
        from chosen c left join dim_period p using (period_key)
        order by case c.period_type {order} end, c.period_start desc, c.period_end desc, c.period_key
        """,
        *codes,
    )


def ward_indicator(code: str, period_type: str, period_key: str) -> pd.DataFrame:
    """One indicator for one period: every ward and the district (last), with numerator,
    denominator, value, target and the catalogue's target comparison and direction."""
    return query(
        """
        select f.org_unit_code, f.org_unit_name, f.org_unit_level, f.numerator, f.denominator,
               f.value, f.target, f.meets_target, i.target_comparison, i.direction
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.indicator_code = ? and f.period_type = ? and f.period_key = ?
        order by f.org_unit_level = 'district', f.org_unit_name
        """,
        code,
        period_type,
        period_key,
    )
