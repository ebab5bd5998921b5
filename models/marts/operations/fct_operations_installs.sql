-- one row per smart meter booking that was installed (installed_at set)
with

bookings as (
    select * from {{ ref('stg_nova__smart_meter_bookings') }}
),

install_jobs as (
    select * from {{ ref('stg_field_ops__install_jobs') }}
),

meter_points as (
    select * from {{ ref('int_meter_points_regioned') }}
),

installed_bookings as (
    select * from bookings
    where installed_at is not null
),

joined as (
    select
        installed_bookings.booking_id,
        installed_bookings.customer_id,
        installed_bookings.aes_job_number,
        install_jobs.technician_id,
        coalesce(elec_points.region, gas_points.region) as region,
        installed_bookings.fuel_type,
        installed_bookings.installation_type,
        installed_bookings.booking_source,
        installed_bookings.created_at as booked_at,
        installed_bookings.installed_at,
        install_jobs.arrived_at,
        install_jobs.completed_at
    from installed_bookings
    left join install_jobs
        on installed_bookings.aes_job_number = install_jobs.aes_job_number
    left join meter_points as elec_points
        on installed_bookings.mpan = elec_points.mpxn
    left join meter_points as gas_points
        on installed_bookings.mprn = gas_points.mpxn
),

final as (
    select
        booking_id,
        customer_id,
        aes_job_number,
        technician_id,
        region,
        fuel_type,
        installation_type,
        booking_source,
        booked_at,
        installed_at,
        {{ to_date('installed_at') }} as install_date,
        {{ month_start('installed_at') }} as install_month,
        case
            when installed_at >= booked_at
                then {{ days_between(to_date('booked_at'), to_date('installed_at')) }}
        end as days_booking_to_install,
        arrived_at,
        completed_at,
        case
            when completed_at >= arrived_at
                then {{ dbt.datediff('arrived_at', 'completed_at', 'minute') }}
        end as minutes_on_site
    from joined
)

select * from final
