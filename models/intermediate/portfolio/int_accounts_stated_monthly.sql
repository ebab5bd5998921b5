-- one row per PAYG account per month-end, from the month of its first sale order to the as-of
-- month (the as-of month's snapshot is taken on the as-of day): the account's state at the
-- snapshot (credit, payments and contracts to date, the last ended contract, the latest enable
-- event, the month's payments and amount due), the inputs of int_accounts_categorised_monthly.
-- Linear in the events: each one is bucketed into its month (the first month built when earlier)
-- and the month-ends carry the buckets forward with running windows.
-- Incremental: a run rebuilds each account's months from the month before its refresh_from_month
-- (int_accounts_refresh_scoped), replacing them by (account_id, activity_month).
-- depends_on: {{ ref('int_accounts_refresh_scoped') }}
{{ config(**incremental_by_key(
    ['account_id', 'activity_month'], 'activity_month', cluster_by=['account_id']
)) }}
{%- set running = running_window('account_months.account_id', 'account_months.activity_month') %}

with

accounts as (select * from {{ ref('int_accounts_ordered') }}),

contracts as (select * from {{ ref('int_contracts_flagged') }}),

contracts_due as (select * from {{ ref('int_accounts_contracted_monthly') }}),

facts as (select * from {{ ref('int_account_facts_dated') }}),

payment_credit as (select * from {{ ref('int_payments_credit_accumulated') }}),


months as (select * from {{ ref('util_month_spine') }}),

as_of as (select * from {{ ref('util_as_of_date') }}),
{% if is_incremental() %}

    refresh_scope as (select * from {{ ref('int_accounts_refresh_scoped') }}),
{% endif %}

account_base as (
    select
        accounts.*,
        {% if is_incremental() -%}
            -- from the month before the first rebuilt one: the previous month's category (lag)
            greatest(
                {{ month_start('accounts.first_order_date') }},
                cast({{ dbt.dateadd('month', -1, 'refresh_scope.refresh_from_month') }} as date)
            )
        {%- else -%}
            {{ month_start('accounts.first_order_date') }}
        {%- endif %} as first_built_month
    from accounts
    {% if is_incremental() %}
        inner join refresh_scope
            on accounts.account_id = refresh_scope.account_id
    {% endif %}
),

-- narrow (the keys and the snapshot day): the windows below sort these rows, the account's
-- attributes are joined after them
account_months as (
    select
        account_base.account_id,
        months.month_start_date as activity_month,
        case
            when months.month_end_date > as_of.as_of_date then as_of.as_of_date
            else months.month_end_date
        end as snapshot_date
    from account_base
    inner join months
        on account_base.first_built_month <= months.month_start_date
    cross join as_of
),

-- the facts up to the as-of day by month, the earlier ones in the account's first built month
monthly_facts as (
    select
        facts.account_id,
        greatest(
            {{ month_start('facts.fact_date') }}, account_base.first_built_month
        ) as bucket_month,
        sum(facts.payment_count) as payment_count,
        sum(facts.amount) as amount_paid,
        -- the payments of the month itself (not earlier ones carried into the first month)
        sum(
            case
                when {{ month_start('facts.fact_date') }} >= account_base.first_built_month
                    then facts.amount
            end
        ) as amount_paid_in_month,
        max(facts.credit_until_date) as credit_until_date,
        max(facts.restoring_paid_date) as restoring_paid_date,
        sum(facts.contract_count) as contract_count,
        sum(facts.upfront_contract_count) as upfront_contract_count,
        max(facts.has_tv_product) as has_tv_product,
        max(facts.has_iot_product) as has_iot_product,
        sum(facts.contracted_price) as contracted_price,
        max(facts.ended_sort_key) as ended_sort_key,
        max(facts.enable_sort_key) as enable_sort_key
    from facts
    inner join account_base
        on facts.account_id = account_base.account_id
    cross join as_of
    where facts.fact_date <= as_of.as_of_date
    group by
        facts.account_id,
        greatest({{ month_start('facts.fact_date') }}, account_base.first_built_month)
),

-- carried forward: the totals and maxima to date, the latest enable event and ended contract
carried as (
    select
        account_months.*,
        monthly_facts.amount_paid_in_month,
        sum(monthly_facts.payment_count) {{ running }} as payment_count_to_date,
        sum(monthly_facts.amount_paid) {{ running }} as amount_paid_to_date,
        max(monthly_facts.credit_until_date) {{ running }} as credit_until_date,
        max(monthly_facts.restoring_paid_date) {{ running }} as last_restoring_paid_date,
        sum(monthly_facts.contract_count) {{ running }} as contract_count,
        sum(monthly_facts.upfront_contract_count) {{ running }} as upfront_contract_count,
        max(monthly_facts.has_tv_product) {{ running }} as has_tv_product,
        max(monthly_facts.has_iot_product) {{ running }} as has_iot_product,
        sum(monthly_facts.contracted_price) {{ running }} as contracted_price_to_date,
        max(monthly_facts.ended_sort_key) {{ running }} as last_ended_sort_key,
        max(monthly_facts.enable_sort_key) {{ running }} as latest_enable_sort_key
    from account_months
    left join monthly_facts
        on account_months.account_id = monthly_facts.account_id
            and account_months.activity_month = monthly_facts.bucket_month
),

final as (
    select
        carried.account_id,
        account_base.customer_id,
        carried.activity_month,
        carried.snapshot_date,
        account_base.opco,
        account_base.shop,
        account_base.cu_type,
        account_base.subsidy,
        account_base.default_after_days_expired,
        account_base.first_order_date,
        account_base.installation_date,
        {{ count_or_zero('carried.contract_count') }} as contract_count,
        {{ count_or_zero('carried.upfront_contract_count') }} as upfront_contract_count,
        {{ count_or_zero('contracts_due.active_contract_count') }} as active_contract_count,
        contracts_due.latest_activated_date,
        coalesce(carried.contracted_price_to_date, 0) as contracted_price_to_date,
        coalesce(contracts_due.amount_due_in_month, 0) as amount_due_in_month,
        last_ended.ended_date as last_ended_date,
        coalesce(last_ended.finish_reason, last_ended.contract_status) as last_ended_reason,
        last_ended.is_upfront as last_ended_is_upfront,
        carried.credit_until_date,
        carried.last_restoring_paid_date,
        {{ count_or_zero('carried.payment_count_to_date') }} as payment_count_to_date,
        coalesce(carried.amount_paid_to_date, 0) as amount_paid_to_date,
        coalesce(carried.amount_paid_in_month, 0) as amount_paid_in_month,
        -- the slicing dimensions of 002 at the snapshot
        -- the event type follows the sort key's day ('YYYY-MM-DD')
        {{ enable_status('carried.has_iot_product', 'substr(carried.latest_enable_sort_key, 11)') }}
            as enable_status,
        case when carried.has_tv_product = 1 then 'Has TV' else 'No TV' end as tv_customer,
        case
            when contracts_due.active_contract_count > 0
                and contracts_due.active_contract_count
                = contracts_due.active_esf_contract_count
                then 'Yes'
            else 'No'
        end as esf_only_customer,
        {{ arpu_range('coalesce(carried.amount_paid_in_month, 0)') }} as arpu_range,
        downpayments.credit_until_date as downpayment_credit_until_date
    from carried
    inner join account_base
        on carried.account_id = account_base.account_id
    left join contracts_due
        on carried.account_id = contracts_due.account_id
            and carried.activity_month = contracts_due.activity_month
    left join contracts as last_ended
        on carried.account_id = last_ended.account_id
            and carried.last_ended_sort_key = last_ended.ended_sort_key
    left join payment_credit as downpayments
        on carried.account_id = downpayments.account_id
            and downpayments.payment_sequence = 1
)

select * from final
