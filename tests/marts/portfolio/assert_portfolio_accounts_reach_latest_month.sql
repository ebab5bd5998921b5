-- dim_portfolio_accounts takes each account's Customer Status from the latest month of the whole
-- account-month table, which holds only if every PAYG account with a sale order has a row for
-- that month (the month spine of int_accounts_categorised_monthly runs every account to the
-- as-of month). Returned: an account with a sale order and no row for the latest month.
with

categorised as (
    select * from {{ ref('int_accounts_categorised_monthly') }}
),

ordering_accounts as (
    select * from {{ ref('int_accounts_refresh_scoped') }}
),

latest_month as (
    select max(activity_month) as latest_activity_month
    from categorised
),

latest_rows as (
    select categorised.account_id
    from categorised
    inner join latest_month
        on categorised.activity_month = latest_month.latest_activity_month
),

final as (
    select
        ordering_accounts.account_id,
        ordering_accounts.first_order_month,
        latest_month.latest_activity_month
    from ordering_accounts
    cross join latest_month
    left join latest_rows
        on ordering_accounts.account_id = latest_rows.account_id
    where
        ordering_accounts.first_order_month <= latest_month.latest_activity_month
        and latest_rows.account_id is null
)

select * from final
