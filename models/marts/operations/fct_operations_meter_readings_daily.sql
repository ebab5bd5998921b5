-- one row per received day, reading source, reading status, workflow status and region
-- depends_on: {{ ref('util_as_of_date') }} (the lookback window's anchor)
{{ config(**incremental_by_period('received_date', cluster_by=['reading_source', 'region'])) }}

with

meter_readings as (
    select * from {{ ref('stg_nova__meter_readings') }}
    {% if is_incremental() %}
        -- whole days: every day with a row loaded or changed in the lookback window
        where {{ to_date('received_at') }} in (
            select {{ to_date('received_at') }} from {{ ref('stg_nova__meter_readings') }}
            where {{ loaded_within_lookback('valid_from_at') }}
        )
    {% endif %}
),

meters as (
    select * from {{ ref('int_meters_regioned') }}
),

latencies as (
    select
        meter_readings.meter_reading_id,
        {{ to_date('meter_readings.received_at') }} as received_date,
        meter_readings.reading_source,
        meter_readings.reading_status,
        meter_readings.workflow_status,
        meters.region,
        meter_readings.consumption_kwh,
        meter_readings.is_submission_processed,
        case
            when meter_readings.received_at >= meter_readings.taken_at
                then {{ dbt.datediff(
                    'meter_readings.taken_at', 'meter_readings.received_at', 'minute'
                ) }}
        end as latency_minutes
    from meter_readings
    left join meters
        on meter_readings.meter_id = meters.meter_id
),

aggregated as (
    select
        received_date,
        reading_source,
        reading_status,
        workflow_status,
        region,
        count(*) as readings,
        sum(case when is_submission_processed then 1 else 0 end) as processed_readings,
        count(latency_minutes) as readings_with_latency,
        sum(latency_minutes) as latency_minutes_total,
        sum(consumption_kwh) as consumption_kwh
    from latencies
    group by
        received_date,
        reading_source,
        reading_status,
        workflow_status,
        region
),

final as (
    select
        {{ surrogate_key([
            'received_date', 'reading_source', 'reading_status', 'workflow_status', 'region'
        ]) }} as meter_readings_daily_id,
        received_date,
        reading_source,
        reading_status,
        workflow_status,
        region,
        readings,
        cast(processed_readings as {{ dbt.type_bigint() }}) as processed_readings,
        readings_with_latency,
        cast(coalesce(latency_minutes_total, 0) as {{ dbt.type_bigint() }})
            as latency_minutes_total,
        consumption_kwh
    from aggregated
)

select * from final
