-- one row per PAYG account with a sale order: its slicing attributes, the day of its first order
-- (its months start in that month), its installation day, its opco's default threshold and the
-- credit its downpayment (first payment) bought
-- A view: read by int_accounts_stated_monthly, which builds the account's month-ends from it.
{{ config(materialized='view') }}

with

accounts as (
    select * from {{ ref('stg_pulse__accounts') }}
),

sale_orders as (
    select * from {{ ref('stg_pulse__sale_orders') }}
),

opco_policy as (
    select * from {{ ref('opco_default_policy') }}
),

payment_credit as (
    select * from {{ ref('int_payments_credit_accumulated') }}
),

account_orders as (
    select
        account_id,
        min({{ to_date('ordered_at') }}) as first_order_date,
        min({{ to_date('fulfilled_at') }}) as first_fulfilled_date
    from sale_orders
    group by account_id
),

final as (
    select
        accounts.account_id,
        accounts.customer_id,
        accounts.opco,
        accounts.shop,
        accounts.cu_type,
        accounts.subsidy,
        opco_policy.default_after_days_expired,
        account_orders.first_order_date,
        coalesce(
            account_orders.first_fulfilled_date, {{ to_date('accounts.installed_at') }}
        ) as installation_date,
        downpayments.credit_until_date as downpayment_credit_until_date
    from accounts
    inner join account_orders
        on accounts.account_id = account_orders.account_id
    left join opco_policy
        on accounts.opco = opco_policy.opco
    left join payment_credit as downpayments
        on accounts.account_id = downpayments.account_id
            and downpayments.payment_sequence = 1
)

select * from final
