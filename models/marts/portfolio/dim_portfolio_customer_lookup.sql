-- one row per PAYG account: the full Customer Lookup of 002 (columns 41-53), with the customer's
-- name and the names of the agent and technicians (restricted: personal data)
with

portfolio_accounts as (
    select * from {{ ref('dim_portfolio_accounts') }}
),

customer_contacts as (
    select * from {{ ref('stg_pulse__customer_contacts') }}
),

account_agents as (
    select * from {{ ref('stg_pulse__account_agents') }}
),

final as (
    select
        portfolio_accounts.account_id,
        portfolio_accounts.customer_id,
        customer_contacts.customer_name,
        portfolio_accounts.territory,
        portfolio_accounts.opco,
        portfolio_accounts.shop,
        portfolio_accounts.end_date,
        portfolio_accounts.downpayment_date,
        portfolio_accounts.downpayment_amount,
        account_agents.sign_up_sales_agent,
        portfolio_accounts.sign_up_sales_agent_code,
        account_agents.install_technician,
        portfolio_accounts.install_technician_code,
        account_agents.upgrade_technician,
        portfolio_accounts.upgrade_technician_code,
        portfolio_accounts.customer_status
    from portfolio_accounts
    left join customer_contacts
        on portfolio_accounts.customer_id = customer_contacts.customer_id
    left join account_agents
        on portfolio_accounts.account_id = account_agents.account_id
)

select * from final
