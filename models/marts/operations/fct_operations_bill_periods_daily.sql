-- one row per bill period start day and bill period status code
-- depends_on: {{ ref('util_as_of_date') }} (the lookback window's anchor)
{{ config(**incremental_by_period('period_start_date', cluster_by=['status_code'])) }}

with

bill_periods as (
    select * from {{ ref('stg_junifer__bill_periods') }}
    {% if is_incremental() %}
        -- whole days: every day with a row loaded or changed in the lookback window
        where {{ to_date('period_start_at') }} in (
            select {{ to_date('period_start_at') }} from {{ ref('stg_junifer__bill_periods') }}
            where {{ loaded_within_lookback('valid_from_at') }}
        )
    {% endif %}
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
