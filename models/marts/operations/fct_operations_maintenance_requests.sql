-- one row per maintenance request
with

maintenance_requests as (
    select * from {{ ref('stg_field_ops__maintenance_requests') }}
),

meters as (
    select * from {{ ref('int_meters_regioned') }}
),

joined as (
    select
        maintenance_requests.maintenance_request_id,
        maintenance_requests.customer_id,
        maintenance_requests.meter_id,
        maintenance_requests.technician_id,
        meters.region,
        maintenance_requests.request_type,
        maintenance_requests.requested_at,
        case
            when {{ to_date('maintenance_requests.resolved_at') }} <= {{ as_of_date() }}
                then maintenance_requests.resolved_at
        end as resolved_at
    from maintenance_requests
    left join meters
        on maintenance_requests.meter_id = meters.meter_id
),

final as (
    select
        maintenance_request_id,
        customer_id,
        meter_id,
        technician_id,
        region,
        request_type,
        requested_at,
        {{ to_date('requested_at') }} as requested_date,
        {{ month_start('requested_at') }} as requested_month,
        resolved_at,
        {{ to_date('resolved_at') }} as resolved_date,
        {{ month_start('resolved_at') }} as resolved_month,
        resolved_at is not null as is_processed,
        case
            when resolved_at >= requested_at
                then {{ dbt.datediff('requested_at', 'resolved_at', 'hour') }}
        end as hours_to_resolve
    from joined
)

select * from final
