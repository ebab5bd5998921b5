-- 000, "Billing period status": current bill periods per status code
with

bill_periods_daily as (
    select * from {{ ref('fct_operations_bill_periods_daily') }}
),

final as (
    select
        status_code,
        sum(bill_periods) as periods
    from bill_periods_daily
    group by status_code
)

select * from final
order by periods desc
