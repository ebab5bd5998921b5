-- 000, "Bills generated over time": accepted bills per creation day over the last 30 days
with

bills_daily as (
    select * from {{ ref('fct_operations_bills_daily') }}
),

final as (
    select
        bill_created_date as bill_date,
        sum(bills) as bills_generated,
        sum(gross_amount_gbp) as total_billed
    from bills_daily
    where
        bill_status = 'ACCEPTED'
        and bill_created_date >= {{ add_days(as_of_date(), -29) }}
    group by bill_created_date
)

select * from final
order by bill_date desc
