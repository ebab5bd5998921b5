-- 000, "Daily meter reading submissions": readings received per day and source, last 7 days
with

meter_readings_daily as (
    select * from {{ ref('fct_operations_meter_readings_daily') }}
),

final as (
    select
        received_date as submission_date,
        reading_source,
        sum(readings) as submissions
    from meter_readings_daily
    where received_date >= {{ add_days(as_of_date(), -6) }}
    group by
        received_date,
        reading_source
)

select * from final
order by submission_date desc, submissions desc
