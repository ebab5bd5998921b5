-- one row per dated fact of a PAYG account that counts in its month-ends from its day on: a
-- payment (from its payment day), a contract (from the day it counts: its order day), an
-- instalment contract's price (from its activation), an ended contract (from its end day), with
-- the measures each adds to the account's state; int_accounts_stated_monthly carries them forward.
-- The day's last enable event (ENABLED, DISABLED, ENABLE_PENDING, ENABLE_ERROR) is one too.
-- A view: read once per build by int_accounts_stated_monthly.
{{ config(materialized='view') }}

with

payment_credit as (
    select * from {{ ref('int_payments_credit_accumulated') }}
),

contracts as (
    select * from {{ ref('int_contracts_flagged') }}
),

account_events as (
    select * from {{ ref('stg_pulse__account_events') }}
),

enable_events_ranked as (
    select
        account_event_id,
        account_id,
        event_type,
        {{ to_date('event_at') }} as event_date,
        row_number() over (
            partition by account_id, {{ to_date('event_at') }}
            order by event_at desc, account_event_id desc
        ) as day_rank
    from account_events
    where event_type in ('ENABLED', 'DISABLED', 'ENABLE_PENDING', 'ENABLE_ERROR')
),

final as (
    select
        'payment' as fact_type,
        payment_id as fact_source_id,
        account_id,
        paid_date as fact_date,
        1 as payment_count,
        amount,
        credit_until_date,
        case when days_expired_when_paid > 0 then paid_date end as restoring_paid_date,
        0 as contract_count,
        0 as upfront_contract_count,
        0 as has_tv_product,
        0 as has_iot_product,
        null as contracted_price,
        null as ended_sort_key,
        null as enable_sort_key
    from payment_credit
    union all
    select
        'contract' as fact_type,
        contract_id as fact_source_id,
        account_id,
        counted_from_date as fact_date,
        0 as payment_count,
        null as amount,
        null as credit_until_date,
        null as restoring_paid_date,
        1 as contract_count,
        case when is_upfront then 1 else 0 end as upfront_contract_count,
        case
            when is_tv_product and contract_status != 'CANCELLED' then 1 else 0
        end as has_tv_product,
        case
            when is_iot_product and contract_status != 'CANCELLED' then 1 else 0
        end as has_iot_product,
        null as contracted_price,
        null as ended_sort_key,
        null as enable_sort_key
    from contracts
    where counted_from_date is not null
    union all
    -- an instalment contract is priced from its activation, once it counts
    select
        'contract_price' as fact_type,
        contract_id as fact_source_id,
        account_id,
        greatest(counted_from_date, activated_date) as fact_date,
        0 as payment_count,
        null as amount,
        null as credit_until_date,
        null as restoring_paid_date,
        0 as contract_count,
        0 as upfront_contract_count,
        0 as has_tv_product,
        0 as has_iot_product,
        total_price as contracted_price,
        null as ended_sort_key,
        null as enable_sort_key
    from contracts
    where is_instalment_activated
    union all
    -- an ended contract, a candidate for the account's last ended one from its end on
    select
        'contract_end' as fact_type,
        contract_id as fact_source_id,
        account_id,
        greatest(counted_from_date, ended_date) as fact_date,
        0 as payment_count,
        null as amount,
        null as credit_until_date,
        null as restoring_paid_date,
        0 as contract_count,
        0 as upfront_contract_count,
        0 as has_tv_product,
        0 as has_iot_product,
        null as contracted_price,
        ended_sort_key,
        null as enable_sort_key
    from contracts
    where ended_date is not null and counted_from_date is not null
    union all
    -- the day's last enable event, as a number that sorts by its day: the latest one to date is
    -- the largest, and its last digit is its type
    select
        'enable_event' as fact_type,
        account_event_id as fact_source_id,
        account_id,
        event_date as fact_date,
        0 as payment_count,
        null as amount,
        null as credit_until_date,
        null as restoring_paid_date,
        0 as contract_count,
        0 as upfront_contract_count,
        0 as has_tv_product,
        0 as has_iot_product,
        null as contracted_price,
        null as ended_sort_key,
        {{ day_number('event_date') }} * 10
        + {{ enable_event_code('event_type') }} as enable_sort_key
    from enable_events_ranked
    where day_rank = 1
)

select * from final
