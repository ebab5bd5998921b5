-- one row per read month, region and fuel type (rolled up from the daily meter reads fact)
with

meter_reads_daily as (
    select * from {{ ref('fct_operations_meter_reads_daily') }}
),

aggregated as (
    select
        read_month,
        region,
        fuel_type,
        sum(reads) as reads,
        -- import: every register but EXPORT (IMPORT; DAY and NIGHT of a two-rate meter)
        sum(case when register <> 'EXPORT' then consumption_kwh else 0 end) as consumption_kwh,
        sum(case when register = 'EXPORT' then -consumption_kwh else 0 end) as export_kwh
    from meter_reads_daily
    where read_date <= {{ as_of_date() }}
    group by
        read_month,
        region,
        fuel_type
),

final as (
    select
        {{ surrogate_key(['read_month', 'region', 'fuel_type']) }} as consumption_monthly_id,
        read_month,
        region,
        fuel_type,
        cast(reads as {{ dbt.type_bigint() }}) as reads,
        consumption_kwh,
        export_kwh
    from aggregated
)

select * from final
