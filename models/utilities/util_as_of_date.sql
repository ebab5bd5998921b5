-- one row: the day this build is "as of" (the variable as_of_date, else the latest load day)
with

actual_meter_reads as (
    select * from {{ ref('stg_junifer__actual_meter_reads') }}
),

digital_journeys as (
    select * from {{ ref('stg_junifer__digital_journeys') }}
),

meter_readings as (
    select * from {{ ref('stg_nova__meter_readings') }}
),

bills as (
    select * from {{ ref('stg_junifer__bills') }}
),

payg_payments as (
    select * from {{ ref('stg_pulse__payments') }}
),

latest_loads as (
    select
        'soe_junifer_model.w_actual_meterreads' as source_table,
        max(loaded_at) as loaded_at
    from actual_meter_reads
    union all
    select
        'soe_junifer_model.digital_journey_performance' as source_table,
        max(loaded_at) as loaded_at
    from digital_journeys
    union all
    select
        'nova_be_assets_enriched.meter_reading' as source_table,
        max(received_at) as loaded_at
    from meter_readings
    union all
    select
        'junifer_enriched.bill' as source_table,
        max(created_at) as loaded_at
    from bills
    union all
    select
        'pulse.payment' as source_table,
        max(paid_at) as loaded_at
    from payg_payments
),

derived as (
    select {{ to_date('max(loaded_at)') }} as latest_load_date
    from latest_loads
),

final as (
    select
        {%- if var('as_of_date') %}
            cast('{{ var("as_of_date") }}' as date) as as_of_date,
            'variable as_of_date' as as_of_origin,
        {%- else %}
            latest_load_date as as_of_date,
            'latest load day in the data' as as_of_origin,
        {%- endif %}
        latest_load_date
    from derived
)

select * from final
