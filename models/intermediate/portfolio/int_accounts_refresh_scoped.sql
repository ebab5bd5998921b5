-- one row per PAYG account with a sale order: the first month an incremental run of the portfolio
-- models (int_accounts_categorised_monthly, fct_portfolio_account_monthly) rebuilds for it.
-- A view: always as fresh as the data it reads, and only read by incremental runs.
{{ config(materialized='view') }}

with

accounts as (
    select * from {{ ref('stg_pulse__accounts') }}
),

contracts as (
    select * from {{ ref('stg_pulse__contracts') }}
),

sale_orders as (
    select * from {{ ref('stg_pulse__sale_orders') }}
),

payment_credit as (
    select * from {{ ref('int_payments_credit_accumulated') }}
),

as_of as (
    select * from {{ ref('util_as_of_date') }}
),

-- payments, account events and sale orders are loaded when they happen (their event time is
-- their load time): they change the months from their day on. The as-of month moves with the
-- as-of day, and the previous run's as-of day is in the lookback window.
refresh_window as (
    select
        {{ month_start(
            'least(' ~ add_days('as_of.as_of_date', -1 * var('lookback_days', 7)) ~ ', '
            ~ lookback_start() ~ ')'
        ) }} as window_from_month
    from as_of
),

-- changes that rewrite an account's whole history: an account or contract version started in
-- the window (a contract's current status and dates apply to every month-end), a sale order
-- fulfilled in the window (the installation date), the first payment in the window (the
-- downpayment decides the New category of earlier months)
changed_accounts as (
    select account_id from accounts
    where {{ loaded_within_lookback('valid_from_at') }}
    union all
    select account_id from contracts
    where {{ loaded_within_lookback('valid_from_at') }}
    union all
    select account_id from sale_orders
    where {{ loaded_within_lookback('fulfilled_at') }}
    union all
    select account_id from payment_credit
    where
        payment_sequence = 1
        and {{ loaded_within_lookback('paid_at') }}
),

changed_account_ids as (
    select distinct account_id from changed_accounts
),

account_orders as (
    select
        account_id,
        min({{ month_start('ordered_at') }}) as first_order_month
    from sale_orders
    group by account_id
),

final as (
    select
        accounts.account_id,
        account_orders.first_order_month,
        refresh_window.window_from_month,
        changed_account_ids.account_id is not null as is_history_changed,
        case
            when changed_account_ids.account_id is not null
                and account_orders.first_order_month < refresh_window.window_from_month
                then account_orders.first_order_month
            else refresh_window.window_from_month
        end as refresh_from_month
    from accounts
    inner join account_orders
        on accounts.account_id = account_orders.account_id
    cross join refresh_window
    left join changed_account_ids
        on accounts.account_id = changed_account_ids.account_id
)

select * from final
