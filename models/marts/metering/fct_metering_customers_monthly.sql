-- one row per month and customer home region with at least one customer in supply
with

customer_months as (
    select * from {{ ref('int_customer_months_supplied') }}
),

customers as (
    select * from {{ ref('dim_metering_customers') }}
),

aggregated as (
    select
        customer_months.supply_month,
        customers.region,
        count(*) as customers_in_supply,
        sum(case when customer_months.is_new_customer then 1 else 0 end) as new_customers,
        sum(
            case when customer_months.is_returning_customer then 1 else 0 end
        ) as returning_customers,
        sum(
            case when customer_months.is_supplied_at_month_end then 1 else 0 end
        ) as customers_at_month_end
    from customer_months
    left join customers
        on customer_months.customer_id = customers.customer_id
    group by
        customer_months.supply_month,
        customers.region
),

final as (
    select
        {{ surrogate_key(['supply_month', 'region']) }} as customers_monthly_id,
        supply_month,
        region,
        customers_in_supply,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(returning_customers as {{ dbt.type_bigint() }}) as returning_customers,
        cast(customers_at_month_end as {{ dbt.type_bigint() }}) as customers_at_month_end
    from aggregated
)

select * from final
