-- Monthly counts per ward and source, each scored against the ward's own series of that source by
-- the modified z-score (Iglewicz & Hoaglin): z = 0.6745 × (x − median) / MAD, MAD the median absolute
-- deviation from the median. When at least half the months equal the median MAD is 0: then
-- z = (x − median) / (1.2533 × mean absolute deviation from the median); if that is 0 too the series
-- is flat and unscored. A series runs from the first to the last month with a count of the source
-- anywhere in the district; a ward's month without rows in between counts 0 (a missing monthly file
-- shows as a low outlier). Every month of every series is listed; is_outlier needs at least
-- outlier_min_history_months months, |z| > threshold, and a distance from the median beyond
-- threshold × √max(median, 1), the spread chance alone gives a count of that size (Poisson): without
-- that floor a ward's single protection case of the year (median 0) and February's three fewer days
-- (10% fewer doses, beyond the spread twelve months show) were flagged on clean data.
with element_values as (
    select * from {{ ref('agg_quality_ward_month_values') }}
),

periods as (
    select period_key from {{ ref('int_reporting_periods') }} where period_type = 'month'
),

wards as (
    select ward_code from {{ ref('dim_ward') }} where is_current
),

sources as (
    select * from (
        values
            ('immunization', 'doses_given'),
            ('birth_registration', 'birth_registrations'),
            ('health_insurance', 'bhyt_cards_issued'),
            ('protection_cases', 'protection_cases'),
            ('injuries', 'injury_events'),
            ('hcdb_support', 'hcdb_supports')
    ) as sources (source, element_code)
),

counts as (
    select sources.source, element_values.ward_code, element_values.period_key, element_values.value
    from element_values
    inner join sources on element_values.element_code = sources.element_code
),

source_spans as (
    select source, min(period_key) as first_month, max(period_key) as last_month
    from counts
    group by source
),

series as (
    select
        wards.ward_code,
        source_spans.source,
        periods.period_key,
        coalesce(counts.value, 0) as value
    from source_spans
    inner join periods on periods.period_key between source_spans.first_month and source_spans.last_month
    cross join wards
    left join counts
        on source_spans.source = counts.source
        and wards.ward_code = counts.ward_code
        and periods.period_key = counts.period_key
),

medians as (
    select ward_code, source, median(value) as median, count(*) as series_months
    from series
    group by all
),

deviations as (
    select
        series.*,
        medians.median,
        medians.series_months,
        abs(series.value - medians.median) as absolute_deviation
    from series
    inner join medians on series.ward_code = medians.ward_code and series.source = medians.source
),

spreads as (
    select
        ward_code,
        source,
        median(absolute_deviation) as mad,
        avg(absolute_deviation) as mean_absolute_deviation
    from deviations
    group by all
),

scored as (
    select
        deviations.*,
        spreads.mad,
        spreads.mean_absolute_deviation,
        {{ parameter('outlier_modified_z_threshold') }} as threshold,
        {{ parameter('outlier_modified_z_threshold') }} * sqrt(greatest(deviations.median, 1)) as noise_floor,
        case
            when deviations.series_months < {{ parameter('outlier_min_history_months') }} then null
            when spreads.mad > 0 then 'mad'
            when spreads.mean_absolute_deviation > 0 then 'mean_absolute_deviation'
        end as scale_method
    from deviations
    inner join spreads on deviations.ward_code = spreads.ward_code and deviations.source = spreads.source
),

with_z as (
    select
        *,
        case scale_method
            when 'mad' then 0.6745 * (value - median) / mad
            when 'mean_absolute_deviation' then (value - median) / (1.2533 * mean_absolute_deviation)
        end as modified_z
    from scored
),

flagged as (
    select
        *,
        coalesce(abs(modified_z) > threshold and absolute_deviation > noise_floor, false) as is_outlier
    from with_z
),

final as (
    select
        cast(ward_code as varchar) as ward_code,
        cast(source as varchar) as source,
        cast(period_key as varchar) as period_key,
        cast(value as double) as value,
        cast(median as double) as median,
        cast(mad as double) as mad,
        cast(mean_absolute_deviation as double) as mean_absolute_deviation,
        cast(scale_method as varchar) as scale_method,
        cast(series_months as integer) as series_months,
        cast(round(modified_z, 4) as double) as modified_z,
        cast(threshold as double) as threshold,
        cast(noise_floor as double) as noise_floor,
        is_outlier,
        case when is_outlier and modified_z > 0 then 'high' when is_outlier then 'low' end as direction
    from flagged
)

select * from final
