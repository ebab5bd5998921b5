-- 000, "Smart meter bookings by fuel type": current bookings per fuel and installation type
with

bookings_daily as (
    select * from {{ ref('fct_operations_bookings_daily') }}
),

final as (
    select
        fuel_type,
        installation_type,
        sum(bookings) as bookings
    from bookings_daily
    group by
        fuel_type,
        installation_type
)

select * from final
order by bookings desc
