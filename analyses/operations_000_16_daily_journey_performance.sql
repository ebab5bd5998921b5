-- 000, "Daily journey performance": attempts and successes per day, KPI and channel, last 7 days
with

digital_journeys_daily as (
    select * from {{ ref('fct_operations_digital_journeys_daily') }}
),

final as (
    select
        created_date,
        kpi_name,
        channel,
        sum(attempts) as attempts,
        sum(successes) as successes
    from digital_journeys_daily
    where created_date >= {{ add_days(as_of_date(), -6) }}
    group by
        created_date,
        kpi_name,
        channel
)

select * from final
order by created_date desc, kpi_name asc
