-- 000, "Journey success by database source": attempts and successes per database source and
-- KPI, last 30 days
with

digital_journeys_daily as (
    select * from {{ ref('fct_operations_digital_journeys_daily') }}
),

final as (
    select
        db_source,
        kpi_name,
        sum(attempts) as total,
        sum(successes) as successes
    from digital_journeys_daily
    where created_date >= {{ add_days(as_of_date(), -29) }}
    group by
        db_source,
        kpi_name
)

select * from final
order by db_source asc, total desc
