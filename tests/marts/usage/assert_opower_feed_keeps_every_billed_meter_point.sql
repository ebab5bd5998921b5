-- every meter point billed on an accepted bill has its row in the feed, and the feed's kWh add up
-- to the kWh of the bill lines (nothing dropped, nothing double counted)
with

meter_point_charges as (
    select * from {{ ref('int_bill_period_meter_points_summed') }}
),

feed as (
    select * from {{ ref('fct_opower_usage_feed') }}
),

billed as (
    select
        count(*) as billed_rows,
        sum(usage_kwh) as billed_kwh
    from meter_point_charges
),

fed as (
    select
        count(*) as feed_rows,
        sum(usage_value) as feed_kwh
    from feed
),

compared as (
    select
        billed.billed_rows,
        fed.feed_rows,
        billed.billed_kwh,
        fed.feed_kwh
    from billed
    cross join fed
)

select * from compared
where
    billed_rows <> feed_rows
    or abs(coalesce(billed_kwh, 0) - coalesce(feed_kwh, 0)) > 0.001
