-- accounts without any sale order have no month-end rows in int_accounts_categorised_monthly:
-- listed here so they are accounted for, never silently dropped (warning: they are Pre-Portfolio)
{{ config(severity='warn') }}

with

accounts as (
    select * from {{ ref('stg_pulse__accounts') }}
),

sale_orders as (
    select * from {{ ref('stg_pulse__sale_orders') }}
),

final as (
    select accounts.account_id
    from accounts
    left join sale_orders
        on accounts.account_id = sale_orders.account_id
    where sale_orders.sale_order_id is null
)

select * from final
