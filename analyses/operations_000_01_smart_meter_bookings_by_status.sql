-- 000, "Smart meter bookings by status": current bookings per AES status
with

bookings_daily as (
    select * from {{ ref('fct_operations_bookings_daily') }}
),

final as (
    select
        aes_status,
        sum(bookings) as bookings
    from bookings_daily
    group by aes_status
)

select * from final
order by bookings desc
