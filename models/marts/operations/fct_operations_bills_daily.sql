-- one row per bill creation day and bill status
-- depends_on: {{ ref('util_as_of_date') }} (the lookback window's anchor)
{{ config(**incremental_by_period('bill_created_date', cluster_by=['bill_status'])) }}

with

bills as (
    select * from {{ ref('stg_junifer__bills') }}
    {% if is_incremental() %}
        -- whole days: every day with a row loaded or changed in the lookback window
        where {{ to_date('created_at') }} in (
            select {{ to_date('created_at') }} from {{ ref('stg_junifer__bills') }}
            where {{ loaded_within_lookback('valid_from_at') }}
        )
    {% endif %}
),

aggregated as (
    select
        {{ to_date('created_at') }} as bill_created_date,
        bill_status,
        count(*) as bills,
        sum(gross_amount_gbp) as gross_amount_gbp,
        sum(net_amount_gbp) as net_amount_gbp
    from bills
    group by
        bill_created_date,
        bill_status
),

final as (
    select
        {{ surrogate_key(['bill_created_date', 'bill_status']) }} as bills_daily_id,
        bill_created_date,
        bill_status,
        bills,
        gross_amount_gbp,
        net_amount_gbp
    from aggregated
)

select * from final
