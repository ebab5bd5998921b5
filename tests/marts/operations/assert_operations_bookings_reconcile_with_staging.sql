-- every current booking is counted once in the bookings fact, and every outcome once in the
-- outcomes fact: returns a row when a total differs from staging
with

bookings as (
    select * from {{ ref('stg_nova__smart_meter_bookings') }}
),

bookings_daily as (
    select * from {{ ref('fct_operations_bookings_daily') }}
),

booking_outcomes_daily as (
    select * from {{ ref('fct_operations_booking_outcomes_daily') }}
),

staged as (
    select
        count(*) as bookings,
        count(installed_at) + count(failed_at) + count(cancelled_at) as outcomes
    from bookings
),

facts as (
    select
        (select sum(bookings) from bookings_daily) as bookings,
        (select sum(bookings) from booking_outcomes_daily) as outcomes
),

final as (
    select
        staged.bookings as staged_bookings,
        facts.bookings as fact_bookings,
        staged.outcomes as staged_outcomes,
        facts.outcomes as fact_outcomes
    from staged
    cross join facts
    where
        staged.bookings != coalesce(facts.bookings, 0)
        or staged.outcomes != coalesce(facts.outcomes, 0)
)

select * from final
