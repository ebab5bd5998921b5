-- one row per month and technician with at least one install visit or maintenance job
with

install_jobs as (
    select * from {{ ref('stg_field_ops__install_jobs') }}
),

maintenance_requests as (
    select * from {{ ref('fct_operations_maintenance_requests') }}
),

technicians as (
    select * from {{ ref('dim_operations_technicians') }}
),

install_visits as (
    select
        {{ month_start('arrived_at') }} as activity_month,
        technician_id,
        count(*) as install_visits,
        sum(case when outcome = 'COMPLETED' then 1 else 0 end) as installs_completed,
        sum(
            case
                when completed_at >= arrived_at
                    then {{ dbt.datediff('arrived_at', 'completed_at', 'minute') }}
                else 0
            end
        ) as minutes_on_site_total
    from install_jobs
    where
        technician_id is not null
        and {{ to_date('arrived_at') }} <= {{ as_of_date() }}
    group by
        activity_month,
        technician_id
),

maintenance_jobs as (
    select
        resolved_month as activity_month,
        technician_id,
        count(*) as maintenance_jobs_completed,
        sum(coalesce(hours_to_resolve, 0)) as hours_to_resolve_total
    from maintenance_requests
    where
        technician_id is not null
        and is_processed
    group by
        activity_month,
        technician_id
),

technician_months as (
    select
        activity_month,
        technician_id
    from install_visits
    union distinct
    select
        activity_month,
        technician_id
    from maintenance_jobs
),

final as (
    select
        {{ surrogate_key(['technician_months.activity_month', 'technician_months.technician_id']) }}
            as technician_performance_monthly_id,
        technician_months.activity_month,
        technician_months.technician_id,
        technicians.region,
        coalesce(install_visits.install_visits, 0) as install_visits,
        cast(coalesce(install_visits.installs_completed, 0) as {{ dbt.type_bigint() }})
            as installs_completed,
        cast(coalesce(install_visits.minutes_on_site_total, 0) as {{ dbt.type_bigint() }})
            as minutes_on_site_total,
        coalesce(maintenance_jobs.maintenance_jobs_completed, 0) as maintenance_jobs_completed,
        cast(coalesce(maintenance_jobs.hours_to_resolve_total, 0) as {{ dbt.type_bigint() }})
            as hours_to_resolve_total,
        cast(
            coalesce(install_visits.installs_completed, 0)
            + coalesce(maintenance_jobs.maintenance_jobs_completed, 0)
            as {{ dbt.type_bigint() }}
        ) as jobs_completed
    from technician_months
    left join technicians
        on technician_months.technician_id = technicians.technician_id
    left join install_visits
        on
            technician_months.activity_month = install_visits.activity_month
            and technician_months.technician_id = install_visits.technician_id
    left join maintenance_jobs
        on
            technician_months.activity_month = maintenance_jobs.activity_month
            and technician_months.technician_id = maintenance_jobs.technician_id
)

select * from final
