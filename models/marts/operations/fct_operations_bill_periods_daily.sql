-- one row per bill period start day and bill period status code
with

bill_periods as (
    select * from {{ ref('stg_junifer__bill_periods') }}
),

aggregated as (
    select
        {{ to_date('period_start_at') }} as period_start_date,
        status_code,
        count(*) as bill_periods
    from bill_periods
    group by
        period_start_date,
        status_code
),

final as (
    select
        {{ surrogate_key(['period_start_date', 'status_code']) }} as bill_periods_daily_id,
        period_start_date,
        status_code,
        bill_periods
    from aggregated
)

select * from final
