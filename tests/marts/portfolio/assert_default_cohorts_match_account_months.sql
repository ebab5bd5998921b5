-- the Python cohort matrix (002 #26) agrees, cell by cell, with a recount made another way: from
-- the month-end categories of int_accounts_categorised_monthly (not the 0/1 flags and the
-- month-0 cell the Python model starts from), the cohort is every distinct account installed in
-- the month, and a cell counts the cohort's accounts Defaulted, and Churned (Repossessed or
-- Lost/Written Off), at the month-end N months after the installation month. A cell missing on
-- either side, a count or percentage that differs, or an empty side is returned.
with

categorised as (
    select * from {{ ref('int_accounts_categorised_monthly') }}
),

default_cohorts as (
    select * from {{ ref('fct_portfolio_default_cohorts') }}
),

installed_accounts as (
    select distinct
        account_id,
        opco,
        installation_month
    from categorised
    where installation_month is not null
),

cohorts as (
    select
        installation_month as cohort_month,
        opco,
        count(*) as cohort_size
    from installed_accounts
    group by installation_month, opco
),

cohort_month_ends as (
    select
        installed_accounts.installation_month as cohort_month,
        installed_accounts.opco,
        categorised.activity_month,
        case when categorised.portfolio_category = 'Defaulted' then 1 else 0 end as is_defaulted,
        case
            when categorised.portfolio_category in ('Repossessed', 'Lost/Written Off') then 1
            else 0
        end as is_churned
    from installed_accounts
    inner join categorised
        on
            installed_accounts.account_id = categorised.account_id
            and installed_accounts.installation_month <= categorised.activity_month
),

recounted as (
    select
        cohort_month_ends.cohort_month,
        cohort_month_ends.opco,
        {{ dbt.datediff(
            'cohort_month_ends.cohort_month', 'cohort_month_ends.activity_month', 'month'
        ) }} as months_since_installation,
        cohorts.cohort_size,
        sum(cohort_month_ends.is_churned) as churned_accounts,
        sum(cohort_month_ends.is_defaulted) as defaulted_accounts
    from cohort_month_ends
    inner join cohorts
        on
            cohort_month_ends.cohort_month = cohorts.cohort_month
            and cohort_month_ends.opco = cohorts.opco
    group by
        cohort_month_ends.cohort_month,
        cohort_month_ends.opco,
        cohort_month_ends.activity_month,
        cohorts.cohort_size
),

both_sides as (
    select
        cohort_month,
        opco,
        months_since_installation,
        cohort_size as expected_cohort_size,
        churned_accounts as expected_churned_accounts,
        defaulted_accounts as expected_defaulted_accounts,
        case
            when cohort_size - churned_accounts > 0
                then defaulted_accounts * 1.0 / (cohort_size - churned_accounts)
        end as expected_pct,
        0 as cohort_size,
        0 as churned_accounts,
        0 as defaulted_accounts,
        cast(null as {{ dbt.type_float() }}) as portfolio_in_default_pct,
        1 as recounted_rows,
        0 as matrix_rows
    from recounted
    union all
    select
        cohort_month,
        opco,
        months_since_installation,
        0 as expected_cohort_size,
        0 as expected_churned_accounts,
        0 as expected_defaulted_accounts,
        cast(null as {{ dbt.type_float() }}) as expected_pct,
        cohort_size,
        churned_accounts,
        defaulted_accounts,
        portfolio_in_default_pct,
        0 as recounted_rows,
        1 as matrix_rows
    from default_cohorts
),

compared as (
    select
        cohort_month,
        opco,
        months_since_installation,
        sum(recounted_rows) as recounted_rows,
        sum(matrix_rows) as matrix_rows,
        sum(expected_cohort_size) as expected_cohort_size,
        sum(cohort_size) as cohort_size,
        sum(expected_churned_accounts) as expected_churned_accounts,
        sum(churned_accounts) as churned_accounts,
        sum(expected_defaulted_accounts) as expected_defaulted_accounts,
        sum(defaulted_accounts) as defaulted_accounts,
        max(expected_pct) as expected_pct,
        max(portfolio_in_default_pct) as portfolio_in_default_pct
    from both_sides
    group by cohort_month, opco, months_since_installation
),

mismatches as (
    select
        'cohort cell differs' as problem,
        *
    from compared
    where
        recounted_rows <> 1
        or matrix_rows <> 1
        or coalesce(expected_cohort_size <> cohort_size, true)
        or coalesce(expected_churned_accounts <> churned_accounts, true)
        or coalesce(expected_defaulted_accounts <> defaulted_accounts, true)
        or (expected_pct is null) <> (portfolio_in_default_pct is null)
        or abs(expected_pct - portfolio_in_default_pct) > 0.000001
),

side_counts as (
    select
        'recount from int_accounts_categorised_monthly is empty' as problem,
        count(*) as n
    from recounted
    union all
    select
        'fct_portfolio_default_cohorts is empty' as problem,
        count(*) as n
    from default_cohorts
),

empty_sides as (
    select
        problem,
        cast(null as date) as cohort_month,
        cast(null as {{ dbt.type_string() }}) as opco,
        cast(null as {{ dbt.type_int() }}) as months_since_installation,
        0 as recounted_rows,
        0 as matrix_rows,
        0 as expected_cohort_size,
        0 as cohort_size,
        0 as expected_churned_accounts,
        0 as churned_accounts,
        0 as expected_defaulted_accounts,
        0 as defaulted_accounts,
        cast(null as {{ dbt.type_float() }}) as expected_pct,
        cast(null as {{ dbt.type_float() }}) as portfolio_in_default_pct
    from side_counts
    where n = 0
),

final as (
    select * from mismatches
    union all
    select * from empty_sides
)

select * from final
