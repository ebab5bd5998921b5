-- every current booking is counted once in the bookings fact, and every outcome once in the
-- outcomes fact, compared row by row: bookings per booking day, AES status, fuel, installation
-- type and source (with their installed, failed and cancelled counts); outcomes per outcome
-- day and outcome. A key missing on either side, a count that differs, or an empty side is
-- returned.
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

booking_sides as (
    select
        {{ to_date('created_at') }} as booking_date,
        aes_status,
        fuel_type,
        installation_type,
        booking_source,
        1 as staged_bookings,
        case when installed_at is not null then 1 else 0 end as staged_installed,
        case when failed_at is not null then 1 else 0 end as staged_failed,
        case when cancelled_at is not null then 1 else 0 end as staged_cancelled,
        0 as fact_bookings,
        0 as fact_installed,
        0 as fact_failed,
        0 as fact_cancelled,
        0 as fact_rows
    from bookings
    union all
    select
        booking_date,
        aes_status,
        fuel_type,
        installation_type,
        booking_source,
        0 as staged_bookings,
        0 as staged_installed,
        0 as staged_failed,
        0 as staged_cancelled,
        bookings as fact_bookings,
        installed_bookings as fact_installed,
        failed_bookings as fact_failed,
        cancelled_bookings as fact_cancelled,
        1 as fact_rows
    from bookings_daily
),

bookings_compared as (
    select
        booking_date,
        aes_status,
        fuel_type,
        installation_type,
        booking_source,
        sum(staged_bookings) as staged_bookings,
        sum(fact_bookings) as fact_bookings,
        sum(staged_installed) as staged_installed,
        sum(fact_installed) as fact_installed,
        sum(staged_failed) as staged_failed,
        sum(fact_failed) as fact_failed,
        sum(staged_cancelled) as staged_cancelled,
        sum(fact_cancelled) as fact_cancelled,
        sum(fact_rows) as fact_rows
    from booking_sides
    group by booking_date, aes_status, fuel_type, installation_type, booking_source
),

outcome_events as (
    select
        {{ to_date('installed_at') }} as outcome_date,
        'installed' as outcome
    from bookings
    where installed_at is not null
    union all
    select
        {{ to_date('failed_at') }} as outcome_date,
        'failed' as outcome
    from bookings
    where failed_at is not null
    union all
    select
        {{ to_date('cancelled_at') }} as outcome_date,
        'cancelled' as outcome
    from bookings
    where cancelled_at is not null
),

outcome_sides as (
    select
        outcome_date,
        outcome,
        1 as staged_outcomes,
        0 as fact_outcomes
    from outcome_events
    union all
    select
        outcome_date,
        outcome,
        0 as staged_outcomes,
        bookings as fact_outcomes
    from booking_outcomes_daily
),

outcomes_compared as (
    select
        outcome_date,
        outcome,
        sum(staged_outcomes) as staged_outcomes,
        sum(fact_outcomes) as fact_outcomes
    from outcome_sides
    group by outcome_date, outcome
),

side_counts as (
    select
        'stg_nova__smart_meter_bookings' as relation_name,
        count(*) as row_count
    from bookings
    union all
    select
        'fct_operations_bookings_daily' as relation_name,
        count(*) as row_count
    from bookings_daily
    union all
    select
        'fct_operations_booking_outcomes_daily' as relation_name,
        count(*) as row_count
    from booking_outcomes_daily
),

final as (
    select
        'bookings differ' as problem,
        cast(booking_date as {{ dbt.type_string() }}) as problem_key,
        staged_bookings as staged_count,
        fact_bookings as fact_count
    from bookings_compared
    where
        staged_bookings = 0
        or fact_rows <> 1
        or staged_bookings <> fact_bookings
        or staged_installed <> fact_installed
        or staged_failed <> fact_failed
        or staged_cancelled <> fact_cancelled
    union all
    select
        'outcomes differ' as problem,
        cast(outcome_date as {{ dbt.type_string() }}) || ' ' || outcome as problem_key,
        staged_outcomes as staged_count,
        fact_outcomes as fact_count
    from outcomes_compared
    where staged_outcomes <> fact_outcomes
    union all
    select
        'empty' as problem,
        relation_name as problem_key,
        0 as staged_count,
        0 as fact_count
    from side_counts
    where row_count = 0
)

select * from final
