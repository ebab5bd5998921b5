-- every PAYG account is accounted for (an error, so it can fail the build): an account with a
-- sale order has exactly one month-end row in int_accounts_categorised_monthly per month from
-- its first order month to the as-of month; one without a sale order has none there (it is
-- Pre-Portfolio); and every account, with or without a sale order, is in dim_portfolio_accounts
with

accounts as (
    select * from {{ ref('stg_pulse__accounts') }}
),

sale_orders as (
    select * from {{ ref('stg_pulse__sale_orders') }}
),

categorised as (
    select * from {{ ref('int_accounts_categorised_monthly') }}
),

dim_accounts as (
    select * from {{ ref('dim_portfolio_accounts') }}
),

first_orders as (
    select
        account_id,
        min({{ month_start('ordered_at') }}) as first_order_month
    from sale_orders
    group by account_id
),

expected as (
    select
        accounts.account_id,
        case
            when first_orders.account_id is null then 0
            else {{ dbt.datediff(
                'first_orders.first_order_month', month_start(as_of_date()), 'month'
            ) }} + 1
        end as expected_months
    from accounts
    left join first_orders
        on accounts.account_id = first_orders.account_id
),

counted as (
    select
        account_id,
        count(*) as month_rows,
        count(distinct activity_month) as distinct_months
    from categorised
    group by account_id
),

compared as (
    select
        coalesce(expected.account_id, counted.account_id) as account_id,
        expected.expected_months,
        coalesce(counted.month_rows, 0) as month_rows,
        coalesce(counted.distinct_months, 0) as distinct_months
    from expected
    full outer join counted
        on expected.account_id = counted.account_id
),

final as (
    select
        'month-end rows differ from first order month to as-of month' as problem,
        account_id,
        expected_months,
        month_rows
    from compared
    where
        expected_months is null
        or month_rows <> expected_months
        or distinct_months <> month_rows
    union all
    select
        'not in dim_portfolio_accounts' as problem,
        accounts.account_id,
        null as expected_months,
        null as month_rows
    from accounts
    left join dim_accounts
        on accounts.account_id = dim_accounts.account_id
    where dim_accounts.account_id is null
)

select * from final
