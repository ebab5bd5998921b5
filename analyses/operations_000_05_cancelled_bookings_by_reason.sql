-- 000, "Cancelled bookings by reason": cancelled bookings per cancellation reason
with

booking_outcomes_daily as (
    select * from {{ ref('fct_operations_booking_outcomes_daily') }}
),

final as (
    select
        outcome_reason as cancel_reason,
        sum(bookings) as cancelled
    from booking_outcomes_daily
    where outcome = 'cancelled'
    group by outcome_reason
)

select * from final
order by cancelled desc
