-- one row per PAYG account per month-end (account_id, activity_month), from the month of its
-- first sale order to the as-of month: its Portfolio Category, Portfolio at Risk and dimensions
-- at month-end, and additive 0/1 measures for every KPI of the portfolio report (002)
-- Incremental: rebuilds the account-months int_accounts_categorised_monthly rebuilds (from each
-- account's refresh_from_month in int_accounts_refresh_scoped), reading them from four months
-- before (the trailing 90-day windows), replaced by account_month_id.
-- depends_on: {{ ref('int_accounts_refresh_scoped') }}
{{ config(**incremental_by_key(
    'account_month_id', 'activity_month', cluster_by=['opco', 'account_id']
)) }}

with

{% if is_incremental() %}
    refresh_scope as (
        select * from {{ ref('int_accounts_refresh_scoped') }}
    ),

    categorised as (
        select int_accounts_categorised_monthly.*
        from {{ ref('int_accounts_categorised_monthly') }} as int_accounts_categorised_monthly
        inner join refresh_scope
            on int_accounts_categorised_monthly.account_id = refresh_scope.account_id
                and int_accounts_categorised_monthly.activity_month >= cast(
                    {{ dbt.dateadd('month', -4, 'refresh_scope.refresh_from_month') }} as date
                )
    ),
{% else %}
    categorised as (
        select * from {{ ref('int_accounts_categorised_monthly') }}
    ),
{% endif %}

flagged as (
    select
        *,
        case when portfolio_level_1 != 'Pre-Portfolio' then 1 else 0 end as is_installed,
        case when portfolio_level_1 = 'Contracted Portfolio' then 1 else 0 end as is_contracted,
        case when portfolio_level_2 = 'Active Portfolio' then 1 else 0 end as is_active,
        case when portfolio_category = 'Defaulted' then 1 else 0 end as is_defaulted,
        case when portfolio_level_2 = 'Churned' then 1 else 0 end as is_churned,
        case when portfolio_level_2 = 'Paid' then 1 else 0 end as is_paid,
        case
            when previous_portfolio_category in (
                    'New', 'Normal', 'Late', 'Defaulted'
                ) then 1
            else 0
        end as was_contracted_at_previous_month_end,
        case
            when previous_portfolio_category in ('New', 'Normal', 'Late') then 1
            else 0
        end as was_active_at_previous_month_end,
        case
            when previous_portfolio_category = 'Defaulted' then 1
            else 0
        end as was_defaulted_at_previous_month_end,
        case
            when portfolio_category = 'Repossessed'
                and previous_portfolio_category != 'Repossessed' then 1
            else 0
        end as repossessions,
        case
            when portfolio_category = 'Lost/Written Off'
                and previous_portfolio_category != 'Lost/Written Off' then 1
            else 0
        end as write_offs,
        case
            when portfolio_category = 'Completed'
                and previous_portfolio_category != 'Completed' then 1
            else 0
        end as completions,
        case
            when portfolio_category = 'Opted Out'
                and previous_portfolio_category != 'Opted Out' then 1
            else 0
        end as opt_outs,
        case
            when portfolio_level_1 = 'Contracted Portfolio'
                and previous_portfolio_category in ('Completed', 'Opted Out', 'Upfront') then 1
            else 0
        end as uncompletions
    from categorised
),

measured as (
    select
        *,
        is_defaulted - was_defaulted_at_previous_month_end as defaulters_delta,
        repossessions + write_offs as churns,
        completions + opt_outs - uncompletions as net_completions,
        is_defaulted - was_defaulted_at_previous_month_end + repossessions + write_offs
            as default_rate_numerator,
        case when is_defaulted = 1 and payment_count_to_date <= 1 then 1 else 0 end
            as is_dp_only_defaulter,
        case when is_contracted = 1 and days_expired > 30 then 1 else 0 end as is_par_30,
        case when is_contracted = 1 and days_expired > 60 then 1 else 0 end as is_par_60,
        case when is_contracted = 1 and days_expired > 90 then 1 else 0 end as is_par_90,
        case when is_contracted = 1 and days_expired > 120 then 1 else 0 end as is_par_120,
        {{ add_days('snapshot_date', -90) }} as window_90_days_start_date,
        {{ add_days('snapshot_date', -30) }} as window_30_days_start_date
    from flagged
),

lookback_month_ends as (
    -- the month-end closest to 90 (30) days before the snapshot: the end of the month before
    -- the target day's month, or the end of the target day's month, whichever is nearer
    select
        *,
        case
            when {{ days_between(
                add_days(month_start('window_90_days_start_date'), -1),
                'window_90_days_start_date'
            ) }} <= {{ days_between(
                'window_90_days_start_date',
                dbt.last_day('window_90_days_start_date', 'month')
            ) }}
                then {{ add_days(month_start('window_90_days_start_date'), -1) }}
            else cast({{ dbt.last_day('window_90_days_start_date', 'month') }} as date)
        end as month_end_closest_to_90_days_ago,
        case
            when {{ days_between(
                add_days(month_start('window_30_days_start_date'), -1),
                'window_30_days_start_date'
            ) }} <= {{ days_between(
                'window_30_days_start_date',
                dbt.last_day('window_30_days_start_date', 'month')
            ) }}
                then {{ add_days(month_start('window_30_days_start_date'), -1) }}
            else cast({{ dbt.last_day('window_30_days_start_date', 'month') }} as date)
        end as month_end_closest_to_30_days_ago
    from measured
),

-- the 90-day (30-day) windows read the account's month-ends from four months before: its rows
-- are unique per month, so those are the row and its last four rows at most (lag 1 to 4, kept
-- when at most four months before), one sorted window per account over the few columns the
-- windows need instead of a self-join of every month-end with every earlier one
trailing_inputs as (
    select
        account_id,
        activity_month,
        snapshot_date,
        category_changed_date,
        churns,
        net_completions,
        is_contracted,
        window_90_days_start_date,
        window_30_days_start_date,
        month_end_closest_to_90_days_ago,
        month_end_closest_to_30_days_ago
    from lookback_month_ends
),

lagged as (
    select
        *,
        {{ trailing_rows_lagged(
            ['activity_month', 'snapshot_date', 'category_changed_date', 'churns',
             'net_completions', 'is_contracted'],
            4, 'account_id', 'activity_month'
        ) }}
    from trailing_inputs
),

trailing_windows as (
    select
        account_id,
        activity_month,
        {{ trailing_rows_total(
            'churns{n}', 'category_changed_date{n} > window_90_days_start_date',
            4, 'activity_month', 4
        ) }} as churns_last_90_days,
        {{ trailing_rows_total(
            'net_completions{n}', 'category_changed_date{n} > window_30_days_start_date',
            4, 'activity_month', 4
        ) }} as net_completions_last_30_days,
        {{ trailing_rows_greatest(
            'is_contracted{n}', 'snapshot_date{n} = month_end_closest_to_90_days_ago',
            4, 'activity_month', 4
        ) }} as was_contracted_90_days_ago,
        {{ trailing_rows_greatest(
            'is_contracted{n}', 'snapshot_date{n} = month_end_closest_to_30_days_ago',
            4, 'activity_month', 4
        ) }} as was_contracted_30_days_ago
    from lagged
),

final as (
    select
        {{ surrogate_key(['month_ends.account_id', 'month_ends.activity_month']) }}
            as account_month_id,
        month_ends.account_id,
        month_ends.customer_id,
        month_ends.activity_month,
        month_ends.snapshot_date,
        month_ends.opco,
        month_ends.shop,
        month_ends.cu_type,
        month_ends.subsidy,
        month_ends.tv_customer,
        month_ends.esf_only_customer,
        month_ends.enable_status,
        month_ends.arpu_range,
        month_ends.installation_date,
        month_ends.installation_month,
        case
            when month_ends.installation_month is not null
                and month_ends.installation_month <= month_ends.activity_month
                then {{ dbt.datediff(
                    'month_ends.installation_month', 'month_ends.activity_month', 'month'
                ) }}
        end as months_since_installation,
        month_ends.portfolio_level_1,
        month_ends.portfolio_level_2,
        month_ends.portfolio_level_3,
        month_ends.portfolio_category,
        month_ends.previous_portfolio_category,
        month_ends.category_changed_date,
        month_ends.default_after_days_expired,
        month_ends.credit_until_date,
        month_ends.days_expired,
        month_ends.par_bucket,
        month_ends.contract_count,
        cast(month_ends.active_contract_count as {{ dbt.type_bigint() }}) as active_contract_count,
        month_ends.payment_count_to_date,
        cast(month_ends.is_installed as {{ dbt.type_bigint() }}) as is_installed,
        cast(month_ends.is_contracted as {{ dbt.type_bigint() }}) as is_contracted,
        cast(month_ends.is_active as {{ dbt.type_bigint() }}) as is_active,
        cast(month_ends.is_defaulted as {{ dbt.type_bigint() }}) as is_defaulted,
        cast(month_ends.is_churned as {{ dbt.type_bigint() }}) as is_churned,
        cast(month_ends.is_paid as {{ dbt.type_bigint() }}) as is_paid,
        cast(month_ends.is_dp_only_defaulter as {{ dbt.type_bigint() }}) as is_dp_only_defaulter,
        cast(month_ends.was_contracted_at_previous_month_end as {{ dbt.type_bigint() }})
            as was_contracted_at_previous_month_end,
        cast(month_ends.was_active_at_previous_month_end as {{ dbt.type_bigint() }})
            as was_active_at_previous_month_end,
        cast(month_ends.was_defaulted_at_previous_month_end as {{ dbt.type_bigint() }})
            as was_defaulted_at_previous_month_end,
        cast(month_ends.defaulters_delta as {{ dbt.type_bigint() }}) as defaulters_delta,
        cast(month_ends.repossessions as {{ dbt.type_bigint() }}) as repossessions,
        cast(month_ends.write_offs as {{ dbt.type_bigint() }}) as write_offs,
        cast(month_ends.churns as {{ dbt.type_bigint() }}) as churns,
        cast(month_ends.completions as {{ dbt.type_bigint() }}) as completions,
        cast(month_ends.opt_outs as {{ dbt.type_bigint() }}) as opt_outs,
        cast(month_ends.uncompletions as {{ dbt.type_bigint() }}) as uncompletions,
        cast(month_ends.net_completions as {{ dbt.type_bigint() }}) as net_completions,
        cast(month_ends.default_rate_numerator as {{ dbt.type_bigint() }})
            as default_rate_numerator,
        month_ends.month_end_closest_to_90_days_ago,
        cast(trailing_windows.churns_last_90_days as {{ dbt.type_bigint() }})
            as churns_last_90_days,
        cast(trailing_windows.was_contracted_90_days_ago as {{ dbt.type_bigint() }})
            as was_contracted_90_days_ago,
        month_ends.month_end_closest_to_30_days_ago,
        cast(trailing_windows.net_completions_last_30_days as {{ dbt.type_bigint() }})
            as net_completions_last_30_days,
        cast(trailing_windows.was_contracted_30_days_ago as {{ dbt.type_bigint() }})
            as was_contracted_30_days_ago,
        cast(month_ends.is_par_30 as {{ dbt.type_bigint() }}) as is_par_30,
        cast(month_ends.is_par_60 as {{ dbt.type_bigint() }}) as is_par_60,
        cast(month_ends.is_par_90 as {{ dbt.type_bigint() }}) as is_par_90,
        cast(month_ends.is_par_120 as {{ dbt.type_bigint() }}) as is_par_120,
        month_ends.outstanding_balance,
        month_ends.is_par_30 * month_ends.outstanding_balance as par_30_balance,
        month_ends.is_par_60 * month_ends.outstanding_balance as par_60_balance,
        month_ends.is_par_90 * month_ends.outstanding_balance as par_90_balance,
        month_ends.is_par_120 * month_ends.outstanding_balance as par_120_balance,
        month_ends.amount_due_in_month,
        month_ends.amount_paid_in_month
    from lookback_month_ends as month_ends
    inner join trailing_windows
        on month_ends.account_id = trailing_windows.account_id
            and month_ends.activity_month = trailing_windows.activity_month
    {% if is_incremental() %}
        inner join refresh_scope
            on month_ends.account_id = refresh_scope.account_id
                and month_ends.activity_month >= refresh_scope.refresh_from_month
    {% endif %}
)

select * from final
