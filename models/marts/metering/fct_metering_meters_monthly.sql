-- one row per month (up to the as-of month), region and fuel type with at least one meter
-- installed by the month end
with

meters as (
    select * from {{ ref('dim_metering_meters') }}
),

meter_faults as (
    select * from {{ ref('stg_nova__meter_faults') }}
),

months as (
    select * from {{ ref('util_month_spine') }}
),

meter_months as (
    select
        months.month_start_date as meter_month,
        meters.meter_id,
        meters.region,
        meters.fuel_type,
        meters.removed_date is null
        or meters.removed_date > months.month_end_date as is_in_service,
        {{ month_start('meters.installed_date') }}
        = months.month_start_date as is_installed_in_month,
        coalesce({{ month_start('meters.removed_date') }} = months.month_start_date, false)
            as is_removed_in_month
    from meters
    inner join months
        on meters.installed_date <= months.month_end_date
),

faults_by_meter_month as (
    select
        meter_id,
        {{ month_start('fault_at') }} as meter_month,
        count(*) as faults
    from meter_faults
    where {{ to_date('fault_at') }} <= {{ as_of_date() }}
    group by
        meter_id,
        meter_month
),

aggregated as (
    select
        meter_months.meter_month,
        meter_months.region,
        meter_months.fuel_type,
        sum(case when meter_months.is_in_service then 1 else 0 end) as meters_in_service,
        sum(case when meter_months.is_in_service then 0 else 1 end) as meters_inactive,
        sum(case when meter_months.is_installed_in_month then 1 else 0 end) as meters_installed,
        sum(case when meter_months.is_removed_in_month then 1 else 0 end) as meters_removed,
        sum(coalesce(faults_by_meter_month.faults, 0)) as faults,
        count(faults_by_meter_month.meter_id) as meters_with_faults
    from meter_months
    left join faults_by_meter_month
        on
            meter_months.meter_id = faults_by_meter_month.meter_id
            and meter_months.meter_month = faults_by_meter_month.meter_month
    group by
        meter_months.meter_month,
        meter_months.region,
        meter_months.fuel_type
),

final as (
    select
        {{ surrogate_key(['meter_month', 'region', 'fuel_type']) }} as meters_monthly_id,
        meter_month,
        region,
        fuel_type,
        cast(meters_in_service as {{ dbt.type_bigint() }}) as meters_in_service,
        cast(meters_inactive as {{ dbt.type_bigint() }}) as meters_inactive,
        cast(meters_installed as {{ dbt.type_bigint() }}) as meters_installed,
        cast(meters_removed as {{ dbt.type_bigint() }}) as meters_removed,
        cast(faults as {{ dbt.type_bigint() }}) as faults,
        meters_with_faults
    from aggregated
)

select * from final
