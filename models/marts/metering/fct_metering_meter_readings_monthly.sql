-- one row per received month, region and reading source (rolled up from the daily readings fact)
with

meter_readings_daily as (
    select * from {{ ref('fct_operations_meter_readings_daily') }}
),

aggregated as (
    select
        {{ month_start('received_date') }} as received_month,
        region,
        reading_source,
        sum(readings) as readings,
        sum(processed_readings) as processed_readings,
        sum(readings_with_latency) as readings_with_latency,
        sum(latency_minutes_total) as latency_minutes_total
    from meter_readings_daily
    where received_date <= {{ as_of_date() }}
    group by
        received_month,
        region,
        reading_source
),

final as (
    select
        {{ surrogate_key(['received_month', 'region', 'reading_source']) }}
            as meter_readings_monthly_id,
        received_month,
        region,
        reading_source,
        cast(readings as {{ dbt.type_bigint() }}) as readings,
        cast(processed_readings as {{ dbt.type_bigint() }}) as processed_readings,
        cast(readings_with_latency as {{ dbt.type_bigint() }}) as readings_with_latency,
        cast(latency_minutes_total as {{ dbt.type_bigint() }}) as latency_minutes_total,
        {{ operations_average('latency_minutes_total', 'readings_with_latency') }}
            as average_latency_minutes
    from aggregated
)

select * from final
