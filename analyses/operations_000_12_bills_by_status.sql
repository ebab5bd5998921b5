-- 000, "Bills by status": bills created in the last 30 days per status
with

bills_daily as (
    select * from {{ ref('fct_operations_bills_daily') }}
),

final as (
    select
        bill_status as status,
        sum(bills) as bill_count,
        sum(gross_amount_gbp) as total_amount
    from bills_daily
    where bill_created_date >= {{ add_days(as_of_date(), -29) }}
    group by bill_status
)

select * from final
order by bill_count desc
