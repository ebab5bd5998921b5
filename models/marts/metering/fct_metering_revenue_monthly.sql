-- one row per bill month and region (rolled up from the billed periods fact)
with

bills as (
    select * from {{ ref('fct_metering_bills') }}
),

aggregated as (
    select
        bill_month,
        region,
        count(*) as bills,
        sum(net_amount_gbp) as revenue_gbp,
        sum(gross_amount_gbp) as gross_revenue_gbp,
        sum(paid_amount_gbp) as paid_amount_gbp,
        sum(case when payment_status = 'paid' then 1 else 0 end) as paid_bills,
        sum(case when payment_status = 'part_paid' then 1 else 0 end) as part_paid_bills,
        sum(case when payment_status = 'unpaid' then 1 else 0 end) as unpaid_bills
    from bills
    group by
        bill_month,
        region
),

final as (
    select
        {{ surrogate_key(['bill_month', 'region']) }} as revenue_monthly_id,
        bill_month,
        region,
        bills,
        revenue_gbp,
        gross_revenue_gbp,
        paid_amount_gbp,
        cast(paid_bills as {{ dbt.type_bigint() }}) as paid_bills,
        cast(part_paid_bills as {{ dbt.type_bigint() }}) as part_paid_bills,
        cast(unpaid_bills as {{ dbt.type_bigint() }}) as unpaid_bills
    from aggregated
)

select * from final
