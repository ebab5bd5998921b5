-- one row per meter: current status and health, region, and fault history to the as-of date
with

meters as (
    select * from {{ ref('int_meters_regioned') }}
),

final as (
    select
        meter_id,
        mpxn,
        fuel_type,
        meter_type,
        meter_status,
        meter_status = 'ACTIVE' as is_active,
        health_status,
        region,
        {{ to_date('installed_at') }} as installed_date,
        {{ to_date('removed_at') }} as removed_date,
        faults_total,
        cast(faults_last_90_days as {{ dbt.type_bigint() }}) as faults_last_90_days,
        cast(open_faults as {{ dbt.type_bigint() }}) as open_faults,
        {{ to_date('last_fault_at') }} as last_fault_date,
        faults_last_90_days >= 2
        or open_faults > 0 as is_faulty
    from meters
)

select * from final
