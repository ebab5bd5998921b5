-- one row per PAYG account per month-end, from the month of its first sale order to the as-of
-- month (the as-of month's snapshot is taken on the as-of day): Portfolio Category at every level
-- of the hierarchy of 002, days expired, the month's transitions and the slicing dimensions,
-- from the account's state at the snapshot (int_accounts_stated_monthly)
-- Incremental: a run rebuilds each account's months from its refresh_from_month
-- (int_accounts_refresh_scoped: the lookback window's first month, or every month of an account
-- whose history changed), replacing them by (account_id, activity_month).
-- depends_on: {{ ref('int_accounts_refresh_scoped') }}
{{ config(**incremental_by_key(
    ['account_id', 'activity_month'], 'activity_month', cluster_by=['account_id']
)) }}

with

stated as (
    select * from {{ ref('int_accounts_stated_monthly') }}
),
{% if is_incremental() %}

    refresh_scope as (
        select * from {{ ref('int_accounts_refresh_scoped') }}
    ),

    -- the rebuilt months, and the month before them (the previous month's category: lag)
    rebuilt as (
        select stated.*
        from stated
        inner join refresh_scope
            on stated.account_id = refresh_scope.account_id
                and stated.activity_month >= cast(
                    {{ dbt.dateadd('month', -1, 'refresh_scope.refresh_from_month') }} as date
                )
    ),
{% endif %}

joined as (
    select
        *,
        case
            when installation_date is null or installation_date > snapshot_date
                then 'Pre-Portfolio'
            when active_contract_count > 0 then 'Contracted Portfolio'
            else 'Uncontracted Portfolio'
        end as portfolio_level_1,
        case
            when installation_date is null or installation_date > snapshot_date then null
            when active_contract_count = 0 then null
            when coalesce(credit_until_date, installation_date) >= snapshot_date then 0
            else {{ days_between(
                'coalesce(credit_until_date, installation_date)', 'snapshot_date'
            ) }}
        end as days_expired
    from {% if is_incremental() %}rebuilt{% else %}stated{% endif %}
),

categorised as (
    select
        *,
        case
            when portfolio_level_1 = 'Pre-Portfolio' then 'Pre-Portfolio'
            when portfolio_level_1 = 'Contracted Portfolio'
                then case
                        when days_expired >= default_after_days_expired then 'Defaulted'
                        when days_expired > 0 then 'Late'
                        when snapshot_date <= downpayment_credit_until_date then 'New'
                        else 'Normal'
                    end
            when contract_count > 0 and contract_count = upfront_contract_count then 'Upfront'
            when last_ended_reason = 'REPOSSESSED' then 'Repossessed'
            when last_ended_reason = 'WRITTEN_OFF' then 'Lost/Written Off'
            when last_ended_reason = 'PAID_OFF' and last_ended_is_upfront then 'Upfront'
            when last_ended_reason = 'PAID_OFF' then 'Completed'
            when last_ended_reason = 'OPT_OUT' then 'Opted Out'
            else 'Other'
        end as portfolio_category
    from joined
),

levelled as (
    select
        *,
        case
            when portfolio_category in ('New', 'Normal', 'Late') then 'Active Portfolio'
            when portfolio_category = 'Defaulted' then 'Defaulted Portfolio'
            when portfolio_category in ('Repossessed', 'Lost/Written Off') then 'Churned'
            when portfolio_category in ('Completed', 'Opted Out', 'Upfront') then 'Paid'
            when portfolio_category = 'Other' then 'Inactive/Void'
            else 'Pre-Portfolio'
        end as portfolio_level_2,
        case
            when portfolio_category in ('Completed', 'Opted Out') then 'Finished'
            else portfolio_category
        end as portfolio_level_3,
        lag(portfolio_category) over (
            partition by account_id
            order by activity_month
        ) as previous_portfolio_category
    from categorised
),

final as (
    select
        account_id,
        customer_id,
        activity_month,
        snapshot_date,
        opco,
        shop,
        cu_type,
        subsidy,
        default_after_days_expired,
        first_order_date,
        installation_date,
        {{ month_start('installation_date') }} as installation_month,
        portfolio_level_1,
        portfolio_level_2,
        portfolio_level_3,
        portfolio_category,
        coalesce(previous_portfolio_category, 'Pre-Portfolio') as previous_portfolio_category,
        -- the day the account entered its month-end category: Late the day after its credit ran
        -- out, Defaulted the day days_expired reached the opco's threshold, New at activation,
        -- Normal the latest of activation, the day after the downpayment's credit and the last
        -- payment that ended a lapse; Uncontracted categories the day the last contract ended
        case
            when portfolio_category != coalesce(previous_portfolio_category, 'Pre-Portfolio')
                then case
                        when portfolio_category = 'Defaulted'
                            then {{ add_days(
                                'coalesce(credit_until_date, installation_date)',
                                'default_after_days_expired'
                            ) }}
                        when portfolio_category = 'Late'
                            then {{ add_days(
                                'coalesce(credit_until_date, installation_date)', 1
                            ) }}
                        when portfolio_category = 'New'
                            then coalesce(latest_activated_date, installation_date)
                        when portfolio_category = 'Normal'
                            then greatest(
                                    coalesce(latest_activated_date, installation_date),
                                    coalesce(
                                        {{ add_days('downpayment_credit_until_date', 1) }},
                                        coalesce(latest_activated_date, installation_date)
                                    ),
                                    coalesce(
                                        last_restoring_paid_date,
                                        coalesce(latest_activated_date, installation_date)
                                    )
                                )
                        when portfolio_level_1 = 'Uncontracted Portfolio'
                            then coalesce(last_ended_date, snapshot_date)
                    end
        end as category_changed_date,
        credit_until_date,
        downpayment_credit_until_date,
        days_expired,
        {{ par_bucket('days_expired') }} as par_bucket,
        contract_count,
        active_contract_count,
        enable_status,
        tv_customer,
        esf_only_customer,
        arpu_range,
        payment_count_to_date,
        amount_paid_to_date,
        amount_paid_in_month,
        amount_due_in_month,
        contracted_price_to_date,
        case
            when portfolio_level_1 != 'Contracted Portfolio' then 0
            when contracted_price_to_date > amount_paid_to_date
                then contracted_price_to_date - amount_paid_to_date
            else 0
        end as outstanding_balance
    from levelled
)

select final.* from final
{% if is_incremental() %}
    inner join refresh_scope
        on final.account_id = refresh_scope.account_id
            and final.activity_month >= refresh_scope.refresh_from_month
{% endif %}
