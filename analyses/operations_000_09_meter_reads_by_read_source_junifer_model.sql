-- 000, "Meter reads by read source (Junifer model)": reads and consumption of the last 30 days
with

meter_reads_daily as (
    select * from {{ ref('fct_operations_meter_reads_daily') }}
),

final as (
    select
        read_source,
        sum(reads) as reads,
        sum(consumption_kwh) as total_consumption
    from meter_reads_daily
    where read_date >= {{ add_days(as_of_date(), -29) }}
    group by read_source
)

select * from final
order by reads desc
