-- one row per month x opco x shop x CU type x subsidy x TV customer x ESF-only customer x
-- enable status x ARPU range (the slicing dimensions of 002, taken at each account's month-end):
-- additive numerators and denominators of every portfolio KPI, with the ratios for convenience
with

account_months as (
    select * from {{ ref('fct_portfolio_account_monthly') }}
),

aggregated as (
    select
        activity_month,
        opco,
        shop,
        cu_type,
        subsidy,
        tv_customer,
        esf_only_customer,
        enable_status,
        arpu_range,
        sum(is_installed) as all_accounts,
        sum(is_contracted) as contracted_portfolio_size,
        sum(is_active) as active_portfolio_size,
        sum(is_defaulted) as defaulters,
        sum(is_churned) as churned_portfolio_size,
        sum(is_paid) as paid_portfolio_size,
        sum(was_contracted_at_previous_month_end) as contracted_portfolio_previous_month_end,
        sum(was_active_at_previous_month_end) as active_portfolio_previous_month_end,
        sum(was_defaulted_at_previous_month_end) as defaulters_previous_month_end,
        sum(defaulters_delta) as delta_in_defaulters,
        sum(repossessions) as repossessions,
        sum(write_offs) as write_offs,
        sum(churns) as churns,
        sum(default_rate_numerator) as default_rate_numerator,
        sum(completions) as completions,
        sum(opt_outs) as opt_outs,
        sum(uncompletions) as uncompletions,
        sum(net_completions) as net_completions,
        sum(churns_last_90_days) as churns_last_90_days,
        sum(was_contracted_90_days_ago) as contracted_portfolio_90_days_ago,
        sum(net_completions_last_30_days) as net_completions_last_30_days,
        sum(was_contracted_30_days_ago) as contracted_portfolio_30_days_ago,
        sum(is_dp_only_defaulter) as dp_only_defaulters,
        sum(is_par_30) as par_30_accounts,
        sum(is_par_60) as par_60_accounts,
        sum(is_par_90) as par_90_accounts,
        sum(is_par_120) as par_120_accounts,
        sum(outstanding_balance) as outstanding_balance,
        sum(par_30_balance) as par_30_balance,
        sum(par_60_balance) as par_60_balance,
        sum(par_90_balance) as par_90_balance,
        sum(par_120_balance) as par_120_balance,
        sum(amount_due_in_month) as amount_due,
        sum(amount_paid_in_month) as amount_paid,
        count(*) as account_months
    from account_months
    group by
        activity_month,
        opco,
        shop,
        cu_type,
        subsidy,
        tv_customer,
        esf_only_customer,
        enable_status,
        arpu_range
),

final as (
    select
        {{ surrogate_key([
            'activity_month', 'opco', 'shop', 'cu_type', 'subsidy',
            'tv_customer', 'esf_only_customer', 'enable_status', 'arpu_range',
        ]) }}
            as portfolio_slice_month_id,
        activity_month,
        opco,
        shop,
        cu_type,
        subsidy,
        tv_customer,
        esf_only_customer,
        enable_status,
        arpu_range,
        account_months,
        cast(all_accounts as {{ dbt.type_bigint() }}) as all_accounts,
        cast(contracted_portfolio_size as {{ dbt.type_bigint() }}) as contracted_portfolio_size,
        cast(active_portfolio_size as {{ dbt.type_bigint() }}) as active_portfolio_size,
        cast(defaulters as {{ dbt.type_bigint() }}) as defaulters,
        cast(churned_portfolio_size as {{ dbt.type_bigint() }}) as churned_portfolio_size,
        cast(paid_portfolio_size as {{ dbt.type_bigint() }}) as paid_portfolio_size,
        cast(contracted_portfolio_previous_month_end as {{ dbt.type_bigint() }})
            as contracted_portfolio_previous_month_end,
        cast(active_portfolio_previous_month_end as {{ dbt.type_bigint() }})
            as active_portfolio_previous_month_end,
        cast(defaulters_previous_month_end as {{ dbt.type_bigint() }})
            as defaulters_previous_month_end,
        cast(delta_in_defaulters as {{ dbt.type_bigint() }}) as delta_in_defaulters,
        cast(repossessions as {{ dbt.type_bigint() }}) as repossessions,
        cast(write_offs as {{ dbt.type_bigint() }}) as write_offs,
        cast(churns as {{ dbt.type_bigint() }}) as churns,
        cast(default_rate_numerator as {{ dbt.type_bigint() }}) as default_rate_numerator,
        cast(completions as {{ dbt.type_bigint() }}) as completions,
        cast(opt_outs as {{ dbt.type_bigint() }}) as opt_outs,
        cast(uncompletions as {{ dbt.type_bigint() }}) as uncompletions,
        cast(net_completions as {{ dbt.type_bigint() }}) as net_completions,
        cast(churns_last_90_days as {{ dbt.type_bigint() }}) as churns_last_90_days,
        cast(contracted_portfolio_90_days_ago as {{ dbt.type_bigint() }})
            as contracted_portfolio_90_days_ago,
        cast(net_completions_last_30_days as {{ dbt.type_bigint() }})
            as net_completions_last_30_days,
        cast(contracted_portfolio_30_days_ago as {{ dbt.type_bigint() }})
            as contracted_portfolio_30_days_ago,
        cast(dp_only_defaulters as {{ dbt.type_bigint() }}) as dp_only_defaulters,
        cast(par_30_accounts as {{ dbt.type_bigint() }}) as par_30_accounts,
        cast(par_60_accounts as {{ dbt.type_bigint() }}) as par_60_accounts,
        cast(par_90_accounts as {{ dbt.type_bigint() }}) as par_90_accounts,
        cast(par_120_accounts as {{ dbt.type_bigint() }}) as par_120_accounts,
        outstanding_balance,
        par_30_balance,
        par_60_balance,
        par_90_balance,
        par_120_balance,
        amount_due,
        amount_paid,
        case
            when contracted_portfolio_size = 0 then null
            else defaulters * 1.0 / contracted_portfolio_size
        end as portfolio_in_default_pct,
        case
            when active_portfolio_previous_month_end = 0 then null
            else default_rate_numerator * 1.0 / active_portfolio_previous_month_end
        end as default_rate,
        case
            when contracted_portfolio_previous_month_end = 0 then null
            else churns * 1.0 / contracted_portfolio_previous_month_end
        end as churn_rate,
        case
            when contracted_portfolio_90_days_ago = 0 then null
            else churns_last_90_days * 1.0 / contracted_portfolio_90_days_ago
        end as churn_rate_90_days,
        case
            when contracted_portfolio_previous_month_end = 0 then null
            else repossessions * 1.0 / contracted_portfolio_previous_month_end
        end as repo_rate,
        case
            when contracted_portfolio_previous_month_end = 0 then null
            else write_offs * 1.0 / contracted_portfolio_previous_month_end
        end as write_off_rate,
        case
            when contracted_portfolio_previous_month_end = 0 then null
            else completions * 1.0 / contracted_portfolio_previous_month_end
        end as completion_rate,
        case
            when contracted_portfolio_previous_month_end = 0 then null
            else opt_outs * 1.0 / contracted_portfolio_previous_month_end
        end as opt_out_rate,
        case
            when contracted_portfolio_previous_month_end = 0 then null
            else uncompletions * 1.0 / contracted_portfolio_previous_month_end
        end as uncompletion_rate,
        case
            when contracted_portfolio_previous_month_end = 0 then null
            else net_completions * 1.0 / contracted_portfolio_previous_month_end
        end as net_completion_rate,
        case
            when contracted_portfolio_30_days_ago = 0 then null
            else net_completions_last_30_days * 1.0 / contracted_portfolio_30_days_ago
        end as net_completion_rate_30_days,
        case
            when defaulters = 0 then null
            else dp_only_defaulters * 1.0 / defaulters
        end as dp_only_defaulters_pct,
        case
            when contracted_portfolio_size = 0 then null
            else par_30_accounts * 1.0 / contracted_portfolio_size
        end as par_30_rate,
        case
            when contracted_portfolio_size = 0 then null
            else par_60_accounts * 1.0 / contracted_portfolio_size
        end as par_60_rate,
        case
            when contracted_portfolio_size = 0 then null
            else par_90_accounts * 1.0 / contracted_portfolio_size
        end as par_90_rate,
        case
            when contracted_portfolio_size = 0 then null
            else par_120_accounts * 1.0 / contracted_portfolio_size
        end as par_120_rate,
        -- decimal / decimal is NUMERIC on BigQuery, DOUBLE on DuckDB: both sides are cast to
        -- dbt.type_float() so the balance rates are a double on both (the contract says float64)
        case
            when outstanding_balance = 0 then null
            else cast(par_30_balance as {{ dbt.type_float() }})
                / cast(outstanding_balance as {{ dbt.type_float() }})
        end as par_30_balance_rate,
        case
            when outstanding_balance = 0 then null
            else cast(par_60_balance as {{ dbt.type_float() }})
                / cast(outstanding_balance as {{ dbt.type_float() }})
        end as par_60_balance_rate,
        case
            when outstanding_balance = 0 then null
            else cast(par_90_balance as {{ dbt.type_float() }})
                / cast(outstanding_balance as {{ dbt.type_float() }})
        end as par_90_balance_rate,
        case
            when outstanding_balance = 0 then null
            else cast(par_120_balance as {{ dbt.type_float() }})
                / cast(outstanding_balance as {{ dbt.type_float() }})
        end as par_120_balance_rate,
        case
            when amount_due = 0 then null
            else cast(amount_paid as {{ dbt.type_float() }})
                / cast(amount_due as {{ dbt.type_float() }})
        end as collection_rate
    from aggregated
)

select * from final
