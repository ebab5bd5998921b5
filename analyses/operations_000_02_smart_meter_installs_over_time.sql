-- 000, "Smart meter installs over time": installs per day over the last 30 days
with

booking_outcomes_daily as (
    select * from {{ ref('fct_operations_booking_outcomes_daily') }}
),

final as (
    select
        outcome_date as install_date,
        sum(bookings) as installs
    from booking_outcomes_daily
    where
        outcome = 'installed'
        and outcome_date >= {{ add_days(as_of_date(), -29) }}
    group by outcome_date
)

select * from final
order by install_date desc
