-- 000, "Meter readings by source": readings received in the last 30 days per reading source
with

meter_readings_daily as (
    select * from {{ ref('fct_operations_meter_readings_daily') }}
),

final as (
    select
        reading_source,
        sum(readings) as readings
    from meter_readings_daily
    where received_date >= {{ add_days(as_of_date(), -29) }}
    group by reading_source
)

select * from final
order by readings desc
