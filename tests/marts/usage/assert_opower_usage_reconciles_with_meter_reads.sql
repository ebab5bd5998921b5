-- every feed row's usage_value is the sum of the Junifer reads of its service point and account
-- with a read date in its days: every register (IMPORT, EXPORT; day/night or multi-rate alike) of
-- every meter (MSN) that served the point, so a meter exchanged or a register that appears or
-- disappears inside a period is neither lost nor counted twice. A warning: a bill on an estimate
-- may differ from the reads until it is re-billed. Linear: each read takes the feed row of its
-- point and account whose period started last on or before its read date (a running last value
-- over the periods and reads in date order), never a join of every read to every period.
{{ config(severity='warn') }}

with

feed as (
    select * from {{ ref('fct_opower_usage_feed') }}
),

actual_meter_reads as (
    select * from {{ ref('stg_junifer__actual_meter_reads') }}
),

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

account_reads as (
    select
        actual_meter_reads.mpxn,
        accounts.account_id,
        actual_meter_reads.read_date,
        actual_meter_reads.consumption_kwh
    from actual_meter_reads
    inner join accounts
        on actual_meter_reads.account_number = accounts.account_number
),

-- the periods' first days and the reads, in one date-ordered stream per point and account
events as (
    select
        service_point_id as mpxn,
        account_id,
        date_from as event_date,
        0 as event_order,
        usage_interval_id,
        date_to,
        cast(null as {{ dbt.type_numeric() }}) as consumption_kwh
    from feed
    union all
    select
        mpxn,
        account_id,
        read_date as event_date,
        1 as event_order,
        cast(null as {{ dbt.type_string() }}) as usage_interval_id,
        cast(null as date) as date_to,
        consumption_kwh
    from account_reads
),

assigned as (
    select
        event_order,
        event_date,
        consumption_kwh,
        last_value(usage_interval_id ignore nulls) over (
            partition by mpxn, account_id
            order by event_date, event_order
            rows between unbounded preceding and current row
        ) as usage_interval_id,
        last_value(date_to ignore nulls) over (
            partition by mpxn, account_id
            order by event_date, event_order
            rows between unbounded preceding and current row
        ) as date_to
    from events
),

read_sums as (
    select
        usage_interval_id,
        count(*) as reads,
        sum(consumption_kwh) as read_kwh
    from assigned
    where
        event_order = 1
        and usage_interval_id is not null
        and event_date <= date_to
    group by usage_interval_id
),

compared as (
    select
        feed.usage_interval_id,
        feed.service_point_id,
        feed.account_id,
        feed.date_from,
        feed.date_to,
        feed.usage_value,
        coalesce(read_sums.reads, 0) as reads,
        coalesce(read_sums.read_kwh, 0) as read_kwh
    from feed
    left join read_sums
        on feed.usage_interval_id = read_sums.usage_interval_id
)

select * from compared
where abs(usage_value - read_kwh) > 0.001
