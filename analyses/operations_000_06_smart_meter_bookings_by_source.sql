-- 000, "Smart meter bookings by source": bookings made in the last 30 days per booking source
with

bookings_daily as (
    select * from {{ ref('fct_operations_bookings_daily') }}
),

final as (
    select
        booking_source,
        sum(bookings) as bookings
    from bookings_daily
    where booking_date >= {{ add_days(as_of_date(), -29) }}
    group by booking_source
)

select * from final
order by bookings desc
