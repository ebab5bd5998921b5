-- one row per booking day, AES status, fuel type, installation type and booking source
with

bookings as (
    select * from {{ ref('stg_nova__smart_meter_bookings') }}
),

aggregated as (
    select
        {{ to_date('created_at') }} as booking_date,
        aes_status,
        fuel_type,
        installation_type,
        booking_source,
        count(*) as bookings,
        sum(case when installed_at is not null then 1 else 0 end) as installed_bookings,
        sum(case when failed_at is not null then 1 else 0 end) as failed_bookings,
        sum(case when cancelled_at is not null then 1 else 0 end) as cancelled_bookings
    from bookings
    group by
        booking_date,
        aes_status,
        fuel_type,
        installation_type,
        booking_source
),

final as (
    select
        {{ surrogate_key([
            'booking_date', 'aes_status', 'fuel_type', 'installation_type', 'booking_source'
        ]) }} as bookings_daily_id,
        booking_date,
        aes_status,
        fuel_type,
        installation_type,
        booking_source,
        bookings,
        cast(installed_bookings as {{ dbt.type_bigint() }}) as installed_bookings,
        cast(failed_bookings as {{ dbt.type_bigint() }}) as failed_bookings,
        cast(cancelled_bookings as {{ dbt.type_bigint() }}) as cancelled_bookings
    from aggregated
)

select * from final
