-- one row per bill period (every period, billed or not) with its latest accepted bill
-- depends_on: {{ ref('util_as_of_date') }} (the lookback window's anchor)
{{ config(**incremental_by_key(
    'bill_period_id', 'first_billed_date', cluster_by=['account_id', 'bill_period_id']
)) }}

with

{% if is_incremental() %}
-- periods to rebuild: the period, one of its bills or bill lines changed in the lookback window
changed_bill_periods as (
    {{ bill_periods_changed_in_lookback() }}
),
{% endif %}

bill_periods as (
    select * from {{ ref('stg_junifer__bill_periods') }}
    {% if is_incremental() %}
        where bill_period_id in (select bill_period_id from changed_bill_periods)
    {% endif %}
),

bills as (
    select * from {{ ref('stg_junifer__bills') }}
    {% if is_incremental() %}
        where bill_period_id in (select bill_period_id from changed_bill_periods)
    {% endif %}
),

bill_lines as (
    select * from {{ ref('stg_junifer__bill_lines') }}
    {% if is_incremental() %}
        where bill_id in (select bill_id from bills)
    {% endif %}
),

bills_ranked as (
    select
        bill_id,
        bill_period_id,
        created_at,
        due_at,
        gross_amount_gbp,
        net_amount_gbp,
        row_number() over (
            partition by bill_period_id
            order by created_at desc, bill_id desc
        ) as accepted_rank
    from bills
    where bill_status = 'ACCEPTED'
),

latest_accepted_bills as (
    select * from bills_ranked
    where accepted_rank = 1
),

bill_counts as (
    select
        bill_period_id,
        count(*) as bill_count,
        sum(case when bill_status = 'SUPERSEDED' then 1 else 0 end) as superseded_bill_count,
        sum(case when bill_status = 'CANCELLED' then 1 else 0 end) as cancelled_bill_count
    from bills
    group by bill_period_id
),

bill_charges as (
    select
        bill_id,
        sum(
            case when charge_type in ('UNIT', 'EXPORT') then amount_gbp else 0 end
        ) as usage_charge_gbp,
        sum(
            case when charge_type in ('STANDING', 'VAT', 'ADJUSTMENT') then amount_gbp else 0 end
        ) as fixed_charge_gbp,
        sum(
            case when charge_type in ('UNIT', 'EXPORT') then quantity_kwh else 0 end
        ) as usage_kwh,
        sum(
            case
                when charge_type not in ('UNIT', 'EXPORT', 'STANDING', 'VAT', 'ADJUSTMENT')
                    or charge_type is null
                    then 1
                else 0
            end
        ) as unknown_charge_line_count
    from bill_lines
    group by bill_id
),

period_dates as (
    select
        bill_period_id,
        account_id,
        period_start_at,
        period_end_at,
        status_code as period_status_code,
        -- dates are taken from the timestamps as written (UTC calendar day): a boundary at
        -- 01:00 after a clock change stays on its day; the exclusive end gives the last day
        {{ to_date('period_start_at') }} as first_billed_date,
        {{ add_days(to_date('period_end_at'), -1) }} as last_billed_date
    from bill_periods
),

joined as (
    select
        period_dates.bill_period_id,
        period_dates.account_id,
        period_dates.period_start_at,
        period_dates.period_end_at,
        period_dates.first_billed_date,
        period_dates.last_billed_date,
        {{ days_between('period_dates.first_billed_date', 'period_dates.last_billed_date') }}
        + 1 as duration_days,
        period_dates.period_status_code,
        latest_accepted_bills.bill_id,
        latest_accepted_bills.created_at as bill_created_at,
        latest_accepted_bills.due_at as bill_due_at,
        latest_accepted_bills.gross_amount_gbp,
        latest_accepted_bills.net_amount_gbp,
        bill_charges.usage_charge_gbp,
        bill_charges.fixed_charge_gbp,
        bill_charges.usage_kwh,
        coalesce(bill_charges.unknown_charge_line_count, 0) as unknown_charge_line_count,
        coalesce(bill_counts.bill_count, 0) as bill_count,
        coalesce(bill_counts.cancelled_bill_count, 0) as cancelled_bill_count,
        coalesce(bill_counts.superseded_bill_count, 0) > 0 as is_rebilled,
        latest_accepted_bills.bill_id is not null as has_accepted_bill
    from period_dates
    left join latest_accepted_bills
        on period_dates.bill_period_id = latest_accepted_bills.bill_period_id
    left join bill_counts
        on period_dates.bill_period_id = bill_counts.bill_period_id
    left join bill_charges
        on latest_accepted_bills.bill_id = bill_charges.bill_id
),

final as (
    select * from joined
)

select * from final
