-- 000, "Journey KPIs overview": attempts, successes and success rate per KPI and channel,
-- last 30 days
with

digital_journeys_daily as (
    select * from {{ ref('fct_operations_digital_journeys_daily') }}
),

final as (
    select
        kpi_name,
        channel,
        sum(attempts) as events,
        sum(successes) as successes,
        {{ operations_success_rate('sum(successes)', 'sum(attempts)') }} as success_rate
    from digital_journeys_daily
    where created_date >= {{ add_days(as_of_date(), -29) }}
    group by
        kpi_name,
        channel
)

select * from final
order by kpi_name, channel
