-- one row per customer and calendar month (up to the as-of month) in which at least one of the
-- customer's Junifer accounts was in supply
with

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

months as (
    select * from {{ ref('util_month_spine') }}
),

first_service_starts as (
    select
        customer_id,
        min(service_start_at) as first_service_start_at
    from accounts
    group by customer_id
),

account_months as (
    select distinct
        accounts.customer_id,
        months.month_start_date as supply_month,
        months.month_end_date
    from accounts
    inner join months
        on
            {{ to_date('accounts.service_start_at') }} <= months.month_end_date
            and (
                accounts.service_end_at is null
                or {{ to_date('accounts.service_end_at') }} >= months.month_start_date
            )
),

at_month_end as (
    select distinct
        accounts.customer_id,
        months.month_start_date as supply_month
    from accounts
    inner join months
        on
            {{ to_date('accounts.service_start_at') }} <= months.month_end_date
            and (
                accounts.service_end_at is null
                or {{ to_date('accounts.service_end_at') }} > months.month_end_date
            )
),

final as (
    select
        account_months.customer_id,
        account_months.supply_month,
        {{ month_start('first_service_starts.first_service_start_at') }}
        = account_months.supply_month as is_new_customer,
        {{ month_start('first_service_starts.first_service_start_at') }}
        < account_months.supply_month as is_returning_customer,
        at_month_end.customer_id is not null as is_supplied_at_month_end
    from account_months
    inner join first_service_starts
        on account_months.customer_id = first_service_starts.customer_id
    left join at_month_end
        on
            account_months.customer_id = at_month_end.customer_id
            and account_months.supply_month = at_month_end.supply_month
)

select * from final
