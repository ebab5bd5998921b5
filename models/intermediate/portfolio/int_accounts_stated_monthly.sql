-- one row per PAYG account per month-end (first sale order's month to the as-of month, its
-- snapshot on the as-of day): the state at the snapshot (credit, payments and contracts to date,
-- the last ended contract, the latest enable event, the month's payments and amount due), the
-- inputs of int_accounts_categorised_monthly. Linear in the events, no join of month-ends to
-- events: month-ends, facts (each in its month, or the first month built) and contracts' months
-- are one union summed by month, then carried forward by running windows.
-- Incremental: a run rebuilds each account's months from the month before its refresh_from_month
-- (int_accounts_refresh_scoped), replacing them by (account_id, activity_month).
-- depends_on: {{ ref('int_accounts_refresh_scoped') }}
{{ config(**incremental_by_key(
    ['account_id', 'activity_month'], 'activity_month', cluster_by=['account_id']
)) }}
{%- set running = running_window('monthly.account_id', 'monthly.activity_month') %}
{#- (aggregate, part, carried as): the state to date; then (aggregate, part): the month's own -#}
{%- set to_date = [
    ('sum', 'payment_count', 'payment_count_to_date'), ('sum', 'amount', 'amount_paid_to_date'),
    ('max', 'credit_until_date', 'credit_until_date'), ('sum', 'contract_count', 'contract_count'),
    ('max', 'restoring_paid_date', 'last_restoring_paid_date'),
    ('sum', 'upfront_contract_count', 'upfront_contract_count'),
    ('max', 'has_tv_product', 'has_tv_product'), ('max', 'has_iot_product', 'has_iot_product'),
    ('sum', 'contracted_price', 'contracted_price_to_date'),
    ('max', 'ended_sort_key', 'last_ended_sort_key'),
    ('max', 'enable_sort_key', 'latest_enable_sort_key'),
] %}
{%- set in_month = [
    ('sum', 'amount_paid_in_month'), ('sum', 'active_contract_count'),
    ('sum', 'active_esf_contract_count'), ('max', 'latest_activated_date'),
    ('sum', 'amount_due_in_month')] %}
{%- set fact_month = month_start('facts.fact_date') %}

with

accounts as (select * from {{ ref('int_accounts_ordered') }}),

contracts as (select * from {{ ref('int_contracts_flagged') }}),

contracts_due as (select * from {{ ref('int_accounts_contracted_monthly') }}),

facts as (select * from {{ ref('int_account_facts_dated') }}),

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

-- the parts of an account-month, summed below instead of joined: the month-end (snapshot day),
-- each fact to the as-of day (in the first built month when earlier), its contracts' month
month_parts as (
    select
        account_base.account_id,
        months.month_start_date as activity_month,
        {%- for part in (to_date + in_month) | map(attribute=1) %}
            null as {{ part }},
        {%- endfor %}
        case
            when months.month_end_date > as_of.as_of_date then as_of.as_of_date
            else months.month_end_date
        end as snapshot_date
    from account_base
    inner join months
        on account_base.first_built_month <= months.month_start_date
    cross join as_of
    union all
    select
        facts.account_id,
        greatest({{ fact_month }}, account_base.first_built_month) as activity_month,
        {%- for part in to_date | map(attribute=1) %}
            facts.{{ part }},
        {%- endfor %}
        -- the payments of the month itself (not earlier ones carried into the first month)
        case
            when {{ fact_month }} >= account_base.first_built_month then facts.amount
        end as amount_paid_in_month,
        {%- for part in in_month | map(attribute=1) | reject('eq', 'amount_paid_in_month') %}
            null as {{ part }},
        {%- endfor %}
        null as snapshot_date
    from facts
    inner join account_base
        on facts.account_id = account_base.account_id
    cross join as_of
    where facts.fact_date <= as_of.as_of_date
    union all
    select
        contracts_due.account_id,
        contracts_due.activity_month,
        {%- for part in to_date | map(attribute=1) | list + ['amount_paid_in_month'] %}
            null as {{ part }},
        {%- endfor %}
        contracts_due.active_contract_count,
        contracts_due.active_esf_contract_count,
        contracts_due.latest_activated_date,
        contracts_due.amount_due_in_month,
        null as snapshot_date
    from contracts_due
    inner join account_base
        on contracts_due.account_id = account_base.account_id
            and contracts_due.activity_month >= account_base.first_built_month
),

monthly as (
    select
        account_id,
        activity_month,
        {%- for item in to_date + in_month %}
            {{ item[0] }}({{ item[1] }}) as {{ item[1] }},
        {%- endfor %}
        max(snapshot_date) as snapshot_date
    from month_parts
    group by account_id, activity_month
),

-- carried forward: the totals and maxima to date, the latest enable event and ended contract (in
-- the account's months only: facts and contracts outside them count nowhere)
carried as (
    select
        monthly.account_id,
        monthly.activity_month,
        {%- for aggregate, part in in_month %}
            monthly.{{ part }},
        {%- endfor %}
        {%- for aggregate, part, carried_as in to_date %}
            {{ aggregate }}(monthly.{{ part }}) {{ running }} as {{ carried_as }},
        {%- endfor %}
        monthly.snapshot_date
    from monthly
    where monthly.snapshot_date is not null
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
        {{ count_or_zero('carried.active_contract_count') }} as active_contract_count,
        carried.latest_activated_date,
        coalesce(carried.contracted_price_to_date, 0) as contracted_price_to_date,
        coalesce(carried.amount_due_in_month, 0) as amount_due_in_month,
        last_ended.ended_date as last_ended_date,
        coalesce(last_ended.finish_reason, last_ended.contract_status) as last_ended_reason,
        last_ended.is_upfront as last_ended_is_upfront,
        carried.credit_until_date,
        carried.last_restoring_paid_date,
        {{ count_or_zero('carried.payment_count_to_date') }} as payment_count_to_date,
        coalesce(carried.amount_paid_to_date, 0) as amount_paid_to_date,
        coalesce(carried.amount_paid_in_month, 0) as amount_paid_in_month,
        -- 002's slicing dimensions at the snapshot (an enable event's type: its key's last digit)
        {{ enable_status('carried.has_iot_product', 'mod(carried.latest_enable_sort_key, 10)') }}
            as enable_status,
        case when carried.has_tv_product = 1 then 'Has TV' else 'No TV' end as tv_customer,
        case
            when carried.active_contract_count > 0
                and carried.active_contract_count = carried.active_esf_contract_count
                then 'Yes'
            else 'No'
        end as esf_only_customer,
        {{ arpu_range('coalesce(carried.amount_paid_in_month, 0)') }} as arpu_range,
        account_base.downpayment_credit_until_date
    from carried
    inner join account_base
        on carried.account_id = account_base.account_id
    left join contracts as last_ended
        on carried.account_id = last_ended.account_id
            and carried.last_ended_sort_key = last_ended.ended_sort_key
)

select * from final
