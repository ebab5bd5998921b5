-- 000, "Failed smart meter installations": failed bookings per failure reason
with

booking_outcomes_daily as (
    select * from {{ ref('fct_operations_booking_outcomes_daily') }}
),

final as (
    select
        outcome_reason as failure_reason,
        sum(bookings) as failed_installs
    from booking_outcomes_daily
    where outcome = 'failed'
    group by outcome_reason
)

select * from final
order by failed_installs desc
