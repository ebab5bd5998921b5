-- every meter point billed on an accepted bill has exactly one feed row for its bill period, with
-- the kWh of its bill lines, and the feed has no row that was not billed: compared row by row on
-- (MPXN, bill period). A row missing on either side, a kWh difference, or an empty side is
-- returned.
with

meter_point_charges as (
    select * from {{ ref('int_bill_period_meter_points_summed') }}
),

feed as (
    select * from {{ ref('fct_opower_usage_feed') }}
),

both_sides as (
    select
        mpxn as service_point_id,
        bill_period_id,
        usage_kwh as billed_kwh,
        0 as feed_kwh,
        1 as billed_rows,
        0 as feed_rows
    from meter_point_charges
    union all
    select
        service_point_id,
        bill_period_id,
        0 as billed_kwh,
        usage_value as feed_kwh,
        0 as billed_rows,
        1 as feed_rows
    from feed
),

compared as (
    select
        service_point_id,
        bill_period_id,
        sum(billed_kwh) as billed_kwh,
        sum(feed_kwh) as feed_kwh,
        sum(billed_rows) as billed_rows,
        sum(feed_rows) as feed_rows
    from both_sides
    group by service_point_id, bill_period_id
),

mismatches as (
    select
        'billed meter point and feed row differ' as problem,
        service_point_id,
        bill_period_id,
        billed_kwh,
        feed_kwh,
        billed_rows,
        feed_rows
    from compared
    where
        billed_rows <> 1
        or feed_rows <> 1
        or abs(coalesce(billed_kwh, 0) - coalesce(feed_kwh, 0)) > 0.001
        or (billed_kwh is null) <> (feed_kwh is null)
),

side_counts as (
    select
        'int_bill_period_meter_points_summed is empty' as problem,
        count(*) as row_count
    from meter_point_charges
    union all
    select
        'fct_opower_usage_feed is empty' as problem,
        count(*) as row_count
    from feed
),

empty_sides as (
    select
        problem,
        cast(null as {{ dbt.type_string() }}) as service_point_id,
        cast(null as {{ dbt.type_int() }}) as bill_period_id,
        0 as billed_kwh,
        0 as feed_kwh,
        0 as billed_rows,
        0 as feed_rows
    from side_counts
    where row_count = 0
),

final as (
    select * from mismatches
    union all
    select * from empty_sides
)

select * from final
