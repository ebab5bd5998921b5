-- one row per meter: region of its meter point and its fault history up to the as-of date
with

meters as (
    select * from {{ ref('stg_nova__meters') }}
),

meter_faults as (
    select * from {{ ref('stg_nova__meter_faults') }}
),

meter_points as (
    select * from {{ ref('int_meter_points_regioned') }}
),

fault_counts as (
    select
        meter_id,
        count(*) as faults_total,
        sum(
            case
                when {{ to_date('fault_at') }} >= {{ add_days(as_of_date(), -89) }} then 1
                else 0
            end
        ) as faults_last_90_days,
        sum(case when resolved_at is null then 1 else 0 end) as open_faults,
        max(fault_at) as last_fault_at
    from meter_faults
    where {{ to_date('fault_at') }} <= {{ as_of_date() }}
    group by meter_id
),

final as (
    select
        meters.meter_id,
        meters.mpxn,
        meters.fuel_type,
        meters.meter_type,
        meters.meter_status,
        meters.health_status,
        meters.installed_at,
        meters.removed_at,
        meter_points.region,
        coalesce(fault_counts.faults_total, 0) as faults_total,
        coalesce(fault_counts.faults_last_90_days, 0) as faults_last_90_days,
        coalesce(fault_counts.open_faults, 0) as open_faults,
        fault_counts.last_fault_at
    from meters
    left join meter_points
        on meters.mpxn = meter_points.mpxn
    left join fault_counts
        on meters.meter_id = fault_counts.meter_id
)

select * from final
