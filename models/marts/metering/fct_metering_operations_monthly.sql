-- one row per month and region with at least one installation or maintenance request received
-- or processed
with

installs as (
    select * from {{ ref('fct_operations_installs') }}
),

maintenance_requests as (
    select * from {{ ref('fct_operations_maintenance_requests') }}
),

operation_events as (
    select
        install_month as activity_month,
        region,
        1 as installs,
        case when days_booking_to_install is not null then 1 else 0 end as installs_timed,
        coalesce(days_booking_to_install, 0) as days_booking_to_install,
        case when minutes_on_site is not null then 1 else 0 end as install_visits_timed,
        coalesce(minutes_on_site, 0) as minutes_on_site,
        0 as maintenance_requests_received,
        0 as maintenance_requests_processed,
        0 as hours_to_resolve
    from installs
    where install_date <= {{ as_of_date() }}

    union all

    select
        requested_month as activity_month,
        region,
        0 as installs,
        0 as installs_timed,
        0 as days_booking_to_install,
        0 as install_visits_timed,
        0 as minutes_on_site,
        1 as maintenance_requests_received,
        0 as maintenance_requests_processed,
        0 as hours_to_resolve
    from maintenance_requests
    where requested_date <= {{ as_of_date() }}

    union all

    select
        resolved_month as activity_month,
        region,
        0 as installs,
        0 as installs_timed,
        0 as days_booking_to_install,
        0 as install_visits_timed,
        0 as minutes_on_site,
        0 as maintenance_requests_received,
        1 as maintenance_requests_processed,
        coalesce(hours_to_resolve, 0) as hours_to_resolve
    from maintenance_requests
    where is_processed
),

aggregated as (
    select
        activity_month,
        region,
        sum(installs) as installs,
        sum(installs_timed) as installs_timed,
        sum(days_booking_to_install) as days_booking_to_install_total,
        sum(install_visits_timed) as install_visits_timed,
        sum(minutes_on_site) as minutes_on_site_total,
        sum(maintenance_requests_received) as maintenance_requests_received,
        sum(maintenance_requests_processed) as maintenance_requests_processed,
        sum(hours_to_resolve) as hours_to_resolve_total
    from operation_events
    group by
        activity_month,
        region
),

final as (
    select
        {{ surrogate_key(['activity_month', 'region']) }} as operations_monthly_id,
        activity_month,
        region,
        cast(installs as {{ dbt.type_bigint() }}) as installs,
        cast(installs_timed as {{ dbt.type_bigint() }}) as installs_timed,
        cast(days_booking_to_install_total as {{ dbt.type_bigint() }})
            as days_booking_to_install_total,
        {{ operations_average('days_booking_to_install_total', 'installs_timed') }}
            as average_days_booking_to_install,
        cast(install_visits_timed as {{ dbt.type_bigint() }}) as install_visits_timed,
        cast(minutes_on_site_total as {{ dbt.type_bigint() }}) as minutes_on_site_total,
        {{ operations_average('minutes_on_site_total', 'install_visits_timed') }}
            as average_minutes_on_site,
        cast(maintenance_requests_received as {{ dbt.type_bigint() }})
            as maintenance_requests_received,
        cast(maintenance_requests_processed as {{ dbt.type_bigint() }})
            as maintenance_requests_processed,
        cast(hours_to_resolve_total as {{ dbt.type_bigint() }}) as hours_to_resolve_total
    from aggregated
)

select * from final
