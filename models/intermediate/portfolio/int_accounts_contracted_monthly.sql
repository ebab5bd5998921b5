-- one row per PAYG account per month-end at which one of its instalment contracts runs: the
-- contracts active at the snapshot (all, ESF), the latest activation among them, and the amount
-- that falls due in the month (daily rate x days due, summed over the contracts)
-- Linear: each contract is spread over the months it runs only (from the month it counts and is
-- activated in to the month of its last due day, or the as-of month), not every later month-end.
-- A view: read once per build by int_accounts_stated_monthly.
{{ config(materialized='view') }}

with

contracts as (
    select * from {{ ref('int_contracts_flagged') }}
    where is_instalment and counted_from_date is not null
),

months as (
    select * from {{ ref('util_month_spine') }}
),

as_of as (
    select * from {{ ref('util_as_of_date') }}
),

contract_months as (
    select
        contracts.contract_id,
        contracts.account_id,
        contracts.is_esf_product,
        contracts.is_instalment_activated,
        contracts.daily_rate,
        contracts.activated_date,
        contracts.finished_date,
        contracts.counted_from_date,
        months.month_start_date as activity_month,
        case
            when months.month_end_date > as_of.as_of_date then as_of.as_of_date
            else months.month_end_date
        end as snapshot_date
    from contracts
    inner join months
        on months.month_start_date >= {{ month_start(
                'greatest(contracts.counted_from_date, '
                ~ 'coalesce(contracts.activated_date, contracts.counted_from_date))'
            ) }}
            and (
                contracts.finished_date is null
                or months.month_start_date
                <= {{ month_start(add_days('contracts.finished_date', -1)) }}
            )
    cross join as_of
),

-- the month-ends it counts at: ordered, and activated (when known) by the snapshot
counted_months as (
    select * from contract_months
    where
        counted_from_date <= snapshot_date
        and (activated_date is null or activated_date <= snapshot_date)
),

due as (
    select
        *,
        is_instalment_activated
        and (finished_date is null or finished_date > snapshot_date) as is_active_at_snapshot,
        case
            when activated_date > activity_month then activated_date else activity_month
        end as due_from_date,
        case
            when finished_date is null then snapshot_date
            when finished_date > snapshot_date then snapshot_date
            else {{ add_days('finished_date', -1) }}
        end as due_until_date
    from counted_months
),

contract_months_due as (
    select
        account_id,
        activity_month,
        activated_date,
        is_esf_product,
        is_active_at_snapshot,
        case
            when due_until_date >= due_from_date
                then daily_rate * (1 + {{ days_between('due_from_date', 'due_until_date') }})
            else 0
        end as amount_due_in_month
    from due
),

final as (
    select
        account_id,
        activity_month,
        sum(case when is_active_at_snapshot then 1 else 0 end) as active_contract_count,
        sum(
            case when is_active_at_snapshot and is_esf_product then 1 else 0 end
        ) as active_esf_contract_count,
        max(case when is_active_at_snapshot then activated_date end) as latest_activated_date,
        sum(amount_due_in_month) as amount_due_in_month
    from contract_months_due
    group by account_id, activity_month
)

select * from final
