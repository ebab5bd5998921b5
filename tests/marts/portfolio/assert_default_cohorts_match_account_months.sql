-- the Python cohort matrix (002 #26) agrees with a SQL recount over fct_portfolio_account_monthly:
-- lists every cohort cell whose cohort size, churned or defaulted count differs, or is missing
with

account_months as (
    select * from {{ ref('fct_portfolio_account_monthly') }}
),

default_cohorts as (
    select * from {{ ref('fct_portfolio_default_cohorts') }}
),

cohort_sizes as (
    select
        installation_month as cohort_month,
        opco,
        count(distinct account_id) as cohort_size
    from account_months
    where months_since_installation = 0
    group by installation_month, opco
),

recounted as (
    select
        account_months.installation_month as cohort_month,
        account_months.opco,
        account_months.months_since_installation,
        cohort_sizes.cohort_size,
        sum(account_months.is_churned) as churned_accounts,
        sum(account_months.is_defaulted) as defaulted_accounts
    from account_months
    inner join cohort_sizes
        on
            account_months.installation_month = cohort_sizes.cohort_month
            and account_months.opco = cohort_sizes.opco
    where account_months.months_since_installation is not null
    group by
        account_months.installation_month,
        account_months.opco,
        account_months.months_since_installation,
        cohort_sizes.cohort_size
),

final as (
    select
        recounted.cohort_month,
        recounted.opco,
        recounted.months_since_installation,
        recounted.cohort_size as expected_cohort_size,
        default_cohorts.cohort_size,
        recounted.defaulted_accounts as expected_defaulted_accounts,
        default_cohorts.defaulted_accounts
    from recounted
    left join default_cohorts
        on
            recounted.cohort_month = default_cohorts.cohort_month
            and recounted.opco = default_cohorts.opco
            and recounted.months_since_installation = default_cohorts.months_since_installation
    where
        default_cohorts.cohort_month is null
        or recounted.cohort_size != default_cohorts.cohort_size
        or recounted.churned_accounts != default_cohorts.churned_accounts
        or recounted.defaulted_accounts != default_cohorts.defaulted_accounts
)

select * from final
