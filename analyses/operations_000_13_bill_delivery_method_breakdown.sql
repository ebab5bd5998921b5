-- 000, "Bill delivery method breakdown": distinct accounts per method at the latest report period
with

bill_deliveries as (
    select * from {{ ref('fct_operations_bill_deliveries') }}
),

final as (
    select
        bill_delivery_method,
        delivery_accounts
    from bill_deliveries
    where is_latest_report_period
)

select * from final
order by delivery_accounts desc
