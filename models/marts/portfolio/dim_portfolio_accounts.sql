-- one row per PAYG account: the Customer Lookup of 002 (columns 41-52) without personal data,
-- with its Portfolio Category at the as-of month-end as the Customer Status
with

accounts as (
    select * from {{ ref('stg_pulse__accounts') }}
),

customers as (
    select * from {{ ref('stg_pulse__customers') }}
),

payment_credit as (
    select * from {{ ref('int_payments_credit_accumulated') }}
),

account_months as (
    select * from {{ ref('int_accounts_categorised_monthly') }}
),

downpayments as (
    select
        account_id,
        paid_date as downpayment_date,
        amount as downpayment_amount
    from payment_credit
    where payment_sequence = 1
),

-- every account with month-end rows has one for each month from its first sale order to the
-- as-of month (the month spine of int_accounts_categorised_monthly), so its latest month-end is
-- the latest month of the whole table: a filter on one month instead of a max per account over
-- every month and a join back on it (tests/portfolio/assert_portfolio_accounts_reach_as_of_month)
latest_month as (
    select max(activity_month) as latest_activity_month
    from account_months
),

current_status as (
    select
        account_months.account_id,
        account_months.installation_date,
        account_months.portfolio_level_1,
        account_months.portfolio_level_2,
        account_months.portfolio_category,
        account_months.days_expired,
        account_months.par_bucket,
        account_months.enable_status,
        account_months.tv_customer,
        account_months.esf_only_customer
    from account_months
    inner join latest_month
        on account_months.activity_month = latest_month.latest_activity_month
),

-- the End Date is read only for the accounts Uncontracted now (it is NULL for the others): the
-- Uncontracted months of those accounts only
uncontracted_since as (
    select
        account_months.account_id,
        max(account_months.category_changed_date) as latest_uncontracted_date
    from account_months
    inner join current_status
        on account_months.account_id = current_status.account_id
    where
        account_months.portfolio_level_1 = 'Uncontracted Portfolio'
        and current_status.portfolio_level_1 = 'Uncontracted Portfolio'
    group by account_months.account_id
),

final as (
    select
        accounts.account_id,
        accounts.customer_id,
        customers.territory,
        accounts.opco,
        accounts.shop,
        accounts.cu_type,
        accounts.subsidy,
        current_status.installation_date,
        case
            when current_status.portfolio_level_1 = 'Uncontracted Portfolio'
                then uncontracted_since.latest_uncontracted_date
        end as end_date,
        downpayments.downpayment_date,
        downpayments.downpayment_amount,
        accounts.sign_up_sales_agent_code,
        accounts.install_technician_code,
        accounts.upgrade_technician_code,
        coalesce(current_status.portfolio_category, 'Pre-Portfolio') as customer_status,
        coalesce(current_status.portfolio_level_1, 'Pre-Portfolio') as customer_status_level_1,
        coalesce(current_status.portfolio_level_2, 'Pre-Portfolio') as customer_status_level_2,
        current_status.days_expired,
        current_status.par_bucket,
        coalesce(current_status.enable_status, 'Not applicable') as enable_status,
        coalesce(current_status.tv_customer, 'No TV') as tv_customer,
        coalesce(current_status.esf_only_customer, 'No') as esf_only_customer
    from accounts
    left join customers
        on accounts.customer_id = customers.customer_id
    left join current_status
        on accounts.account_id = current_status.account_id
    left join uncontracted_since
        on accounts.account_id = uncontracted_since.account_id
    left join downpayments
        on accounts.account_id = downpayments.account_id
)

select * from final
