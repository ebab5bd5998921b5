-- one row per outcome day, outcome (installed, failed, cancelled), reason, fuel type,
-- installation type and booking source
with

bookings as (
    select * from {{ ref('stg_nova__smart_meter_bookings') }}
),

outcome_events as (
    select
        {{ to_date('installed_at') }} as outcome_date,
        'installed' as outcome,
        cast(null as {{ dbt.type_string() }}) as outcome_reason,
        fuel_type,
        installation_type,
        booking_source
    from bookings
    where installed_at is not null

    union all

    select
        {{ to_date('failed_at') }} as outcome_date,
        'failed' as outcome,
        failure_reason as outcome_reason,
        fuel_type,
        installation_type,
        booking_source
    from bookings
    where failed_at is not null

    union all

    select
        {{ to_date('cancelled_at') }} as outcome_date,
        'cancelled' as outcome,
        cancel_reason as outcome_reason,
        fuel_type,
        installation_type,
        booking_source
    from bookings
    where cancelled_at is not null
),

aggregated as (
    select
        outcome_date,
        outcome,
        outcome_reason,
        fuel_type,
        installation_type,
        booking_source,
        count(*) as bookings
    from outcome_events
    group by
        outcome_date,
        outcome,
        outcome_reason,
        fuel_type,
        installation_type,
        booking_source
),

final as (
    select
        {{ surrogate_key([
            'outcome_date', 'outcome', 'outcome_reason', 'fuel_type', 'installation_type',
            'booking_source'
        ]) }} as booking_outcomes_daily_id,
        outcome_date,
        outcome,
        outcome_reason,
        fuel_type,
        installation_type,
        booking_source,
        bookings
    from aggregated
)

select * from final
