-- one row per read date, read source, register, read status, fuel type and region
-- depends_on: {{ ref('util_as_of_date') }} (the lookback window's anchor)
{{ config(**incremental_by_period(
    'read_date', cluster_by=['read_source', 'region', 'fuel_type']
)) }}

with

actual_meter_reads as (
    select * from {{ ref('stg_junifer__actual_meter_reads') }}
    {% if is_incremental() %}
        -- whole days: every day with a row loaded or changed in the lookback window
        where read_date in (
            select read_date from {{ ref('stg_junifer__actual_meter_reads') }}
            where {{ loaded_within_lookback('loaded_at') }}
        )
    {% endif %}
),

meter_points as (
    select * from {{ ref('int_meter_points_regioned') }}
),

aggregated as (
    select
        actual_meter_reads.read_date,
        actual_meter_reads.read_source,
        actual_meter_reads.register,
        actual_meter_reads.read_status,
        meter_points.fuel_type,
        meter_points.region,
        count(*) as reads,
        sum(actual_meter_reads.consumption_kwh) as consumption_kwh
    from actual_meter_reads
    left join meter_points
        on actual_meter_reads.mpxn = meter_points.mpxn
    group by
        actual_meter_reads.read_date,
        actual_meter_reads.read_source,
        actual_meter_reads.register,
        actual_meter_reads.read_status,
        meter_points.fuel_type,
        meter_points.region
),

final as (
    select
        {{ surrogate_key([
            'read_date', 'read_source', 'register', 'read_status', 'fuel_type', 'region'
        ]) }} as meter_reads_daily_id,
        read_date,
        {{ month_start('read_date') }} as read_month,
        read_source,
        register,
        read_status,
        fuel_type,
        region,
        reads,
        consumption_kwh
    from aggregated
)

select * from final
