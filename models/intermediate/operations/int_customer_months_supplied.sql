-- one row per customer and calendar month (up to the as-of month) in which at least one of the
-- customer's Junifer accounts was in supply
-- Incremental: rebuilds the months from the lookback window's first month on for every customer
-- (a new month), and every month of the customers of an account changed in the window
-- (metering_customers_changed_in_lookback), replaced by (customer_id, supply_month); the latter
-- customers' old rows are deleted first (a month they are no longer supplied in disappears).
-- depends_on: {{ ref('util_as_of_date') }}
-- depends_on: {{ ref('stg_junifer__account_versions') }}
{{ config(**incremental_by_key(
    ['customer_id', 'supply_month'], 'supply_month', cluster_by=['customer_id']
)) }}
{{ config(pre_hook=
    "{% if is_incremental() %}delete from {{ this }} where customer_id in ("
    ~ "{{ metering_customers_changed_in_lookback() }}){% endif %}"
) }}

with

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

months as (
    select * from {{ ref('util_month_spine') }}
),

first_service_starts as (
    select
        customer_id,
        min(service_start_at) as first_service_start_at
    from accounts
    group by customer_id
),

{#- every account and month it was in supply on at least one day of (read twice by an
    incremental run: the window's months, and the earlier months of the changed customers) -#}
{%- set supplied_months -%}
    select
        accounts.customer_id,
        accounts.service_end_at,
        months.month_start_date,
        months.month_end_date
    from accounts
    inner join months
        on
            {{ to_date('accounts.service_start_at') }} <= months.month_end_date
            and (
                accounts.service_end_at is null
                or {{ to_date('accounts.service_end_at') }} >= months.month_start_date
            )
{%- endset %}

-- every account and month it was in supply on at least one day of
account_month_pairs as (
    {{ supplied_months }}
    {% if is_incremental() %}
        where months.month_start_date >= {{ month_start(lookback_start()) }}
        union all
        {{ supplied_months }}
        where
            months.month_start_date < {{ month_start(lookback_start()) }}
            and accounts.customer_id in ({{ metering_customers_changed_in_lookback() }})
    {% endif %}
),

account_months as (
    select distinct
        customer_id,
        month_start_date as supply_month
    from account_month_pairs
),

at_month_end as (
    select distinct
        customer_id,
        month_start_date as supply_month
    from account_month_pairs
    where
        service_end_at is null
        or {{ to_date('service_end_at') }} > month_end_date
),

final as (
    select
        account_months.customer_id,
        account_months.supply_month,
        {{ month_start('first_service_starts.first_service_start_at') }}
        = account_months.supply_month as is_new_customer,
        {{ month_start('first_service_starts.first_service_start_at') }}
        < account_months.supply_month as is_returning_customer,
        at_month_end.customer_id is not null as is_supplied_at_month_end
    from account_months
    inner join first_service_starts
        on account_months.customer_id = first_service_starts.customer_id
    left join at_month_end
        on
            account_months.customer_id = at_month_end.customer_id
            and account_months.supply_month = at_month_end.supply_month
)

select * from final
