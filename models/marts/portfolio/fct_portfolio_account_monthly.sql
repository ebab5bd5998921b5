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
        account_id,
        activity_month,
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

trailing_windows as (
    select
        measured.account_id,
        measured.activity_month,
        lookback_month_ends.month_end_closest_to_90_days_ago,
        lookback_month_ends.month_end_closest_to_30_days_ago,
        sum(
            case
                when earlier.category_changed_date > measured.window_90_days_start_date
                    then earlier.churns
                else 0
            end
        ) as churns_last_90_days,
        sum(
            case
                when earlier.category_changed_date > measured.window_30_days_start_date
                    then earlier.net_completions
                else 0
            end
        ) as net_completions_last_30_days,
        max(
            case
                when earlier.snapshot_date = lookback_month_ends.month_end_closest_to_90_days_ago
                    then earlier.is_contracted
                else 0
            end
        ) as was_contracted_90_days_ago,
        max(
            case
                when earlier.snapshot_date = lookback_month_ends.month_end_closest_to_30_days_ago
                    then earlier.is_contracted
                else 0
            end
        ) as was_contracted_30_days_ago
    from measured
    inner join lookback_month_ends
        on measured.account_id = lookback_month_ends.account_id
            and measured.activity_month = lookback_month_ends.activity_month
    inner join measured as earlier
        on measured.account_id = earlier.account_id
            and measured.activity_month >= earlier.activity_month
            and earlier.activity_month >= cast(
                {{ dbt.dateadd('month', -4, 'measured.activity_month') }} as date
            )
    group by
        measured.account_id,
        measured.activity_month,
        lookback_month_ends.month_end_closest_to_90_days_ago,
        lookback_month_ends.month_end_closest_to_30_days_ago
),

final as (
    select
        {{ surrogate_key(['measured.account_id', 'measured.activity_month']) }}
            as account_month_id,
        measured.account_id,
        measured.customer_id,
        measured.activity_month,
        measured.snapshot_date,
        measured.opco,
        measured.shop,
        measured.cu_type,
        measured.subsidy,
        measured.tv_customer,
        measured.esf_only_customer,
        measured.enable_status,
        measured.arpu_range,
        measured.installation_date,
        measured.installation_month,
        case
            when measured.installation_month is not null
                and measured.installation_month <= measured.activity_month
                then {{ dbt.datediff(
                    'measured.installation_month', 'measured.activity_month', 'month'
                ) }}
        end as months_since_installation,
        measured.portfolio_level_1,
        measured.portfolio_level_2,
        measured.portfolio_level_3,
        measured.portfolio_category,
        measured.previous_portfolio_category,
        measured.category_changed_date,
        measured.default_after_days_expired,
        measured.credit_until_date,
        measured.days_expired,
        measured.par_bucket,
        measured.contract_count,
        cast(measured.active_contract_count as {{ dbt.type_bigint() }}) as active_contract_count,
        measured.payment_count_to_date,
        cast(measured.is_installed as {{ dbt.type_bigint() }}) as is_installed,
        cast(measured.is_contracted as {{ dbt.type_bigint() }}) as is_contracted,
        cast(measured.is_active as {{ dbt.type_bigint() }}) as is_active,
        cast(measured.is_defaulted as {{ dbt.type_bigint() }}) as is_defaulted,
        cast(measured.is_churned as {{ dbt.type_bigint() }}) as is_churned,
        cast(measured.is_paid as {{ dbt.type_bigint() }}) as is_paid,
        cast(measured.is_dp_only_defaulter as {{ dbt.type_bigint() }}) as is_dp_only_defaulter,
        cast(measured.was_contracted_at_previous_month_end as {{ dbt.type_bigint() }})
            as was_contracted_at_previous_month_end,
        cast(measured.was_active_at_previous_month_end as {{ dbt.type_bigint() }})
            as was_active_at_previous_month_end,
        cast(measured.was_defaulted_at_previous_month_end as {{ dbt.type_bigint() }})
            as was_defaulted_at_previous_month_end,
        cast(measured.defaulters_delta as {{ dbt.type_bigint() }}) as defaulters_delta,
        cast(measured.repossessions as {{ dbt.type_bigint() }}) as repossessions,
        cast(measured.write_offs as {{ dbt.type_bigint() }}) as write_offs,
        cast(measured.churns as {{ dbt.type_bigint() }}) as churns,
        cast(measured.completions as {{ dbt.type_bigint() }}) as completions,
        cast(measured.opt_outs as {{ dbt.type_bigint() }}) as opt_outs,
        cast(measured.uncompletions as {{ dbt.type_bigint() }}) as uncompletions,
        cast(measured.net_completions as {{ dbt.type_bigint() }}) as net_completions,
        cast(measured.default_rate_numerator as {{ dbt.type_bigint() }}) as default_rate_numerator,
        trailing_windows.month_end_closest_to_90_days_ago,
        cast(trailing_windows.churns_last_90_days as {{ dbt.type_bigint() }})
            as churns_last_90_days,
        cast(trailing_windows.was_contracted_90_days_ago as {{ dbt.type_bigint() }})
            as was_contracted_90_days_ago,
        trailing_windows.month_end_closest_to_30_days_ago,
        cast(trailing_windows.net_completions_last_30_days as {{ dbt.type_bigint() }})
            as net_completions_last_30_days,
        cast(trailing_windows.was_contracted_30_days_ago as {{ dbt.type_bigint() }})
            as was_contracted_30_days_ago,
        cast(measured.is_par_30 as {{ dbt.type_bigint() }}) as is_par_30,
        cast(measured.is_par_60 as {{ dbt.type_bigint() }}) as is_par_60,
        cast(measured.is_par_90 as {{ dbt.type_bigint() }}) as is_par_90,
        cast(measured.is_par_120 as {{ dbt.type_bigint() }}) as is_par_120,
        measured.outstanding_balance,
        measured.is_par_30 * measured.outstanding_balance as par_30_balance,
        measured.is_par_60 * measured.outstanding_balance as par_60_balance,
        measured.is_par_90 * measured.outstanding_balance as par_90_balance,
        measured.is_par_120 * measured.outstanding_balance as par_120_balance,
        measured.amount_due_in_month,
        measured.amount_paid_in_month
    from measured
    inner join trailing_windows
        on measured.account_id = trailing_windows.account_id
            and measured.activity_month = trailing_windows.activity_month
    {% if is_incremental() %}
        inner join refresh_scope
            on measured.account_id = refresh_scope.account_id
                and measured.activity_month >= refresh_scope.refresh_from_month
    {% endif %}
)

select * from final
