-- one row per bill period billed (with a latest ACCEPTED bill): its bill, region and payment status
-- Incremental: rebuilds the bill periods whose row can change (metering_bills_rebuilt_periods:
-- the period, a bill, a bill line or a payment changed in the lookback window, the account's
-- customer or region changed, or the due date is in the window), replaced by bill_period_id.
-- depends_on: {{ ref('util_as_of_date') }}
-- depends_on: {{ ref('stg_junifer__bill_periods') }}
-- depends_on: {{ ref('stg_junifer__bill_lines') }}
-- depends_on: {{ ref('stg_junifer__account_versions') }}
-- depends_on: {{ ref('stg_junifer__meter_points') }}
{{ config(**incremental_by_key(
    'bill_period_id', 'bill_created_date', cluster_by=['account_id', 'bill_period_id']
)) }}
-- a rebuilt period that lost its accepted bill (superseded, its re-bill still a draft) brings no
-- row to replace its old one: deleted after the insert
{{ config(post_hook=
    "delete from {{ this }} where bill_period_id in (select bill_period_id from "
    ~ "{{ ref('int_bill_periods_billed') }} where not coalesce(has_accepted_bill, false) "
    ~ "or {{ to_date('bill_created_at') }} > {{ as_of_date() }})"
) }}

with

bill_periods_billed as (
    select * from {{ ref('int_bill_periods_billed') }}
    {% if is_incremental() %}
        where bill_period_id in ({{ metering_bills_rebuilt_periods() }})
    {% endif %}
),

bills as (
    select * from {{ ref('stg_junifer__bills') }}
    {% if is_incremental() %}
        where bill_period_id in (
            select bill_periods_billed.bill_period_id from bill_periods_billed
        )
    {% endif %}
),

payments as (
    select * from {{ ref('stg_junifer__payments') }}
    {% if is_incremental() %}
        where bill_id in (select bills.bill_id from bills)
    {% endif %}
),

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

account_meter_points as (
    select * from {{ ref('stg_junifer__account_meter_points') }}
    {% if is_incremental() %}
        where account_id in (
            select bill_periods_billed.account_id from bill_periods_billed
        )
    {% endif %}
),

meter_points as (
    select * from {{ ref('int_meter_points_regioned') }}
),

account_regions_ranked as (
    select
        account_meter_points.account_id,
        meter_points.region,
        row_number() over (
            partition by account_meter_points.account_id
            order by
                account_meter_points.supply_start_at asc,
                account_meter_points.meter_point_id asc
        ) as region_rank
    from account_meter_points
    inner join meter_points
        on account_meter_points.meter_point_id = meter_points.meter_point_id
),

account_regions as (
    select
        account_id,
        region
    from account_regions_ranked
    where region_rank = 1
),

period_payments as (
    select
        bills.bill_period_id,
        sum(payments.amount_gbp) as paid_amount_gbp,
        max(payments.received_at) as last_payment_at
    from payments
    inner join bills
        on payments.bill_id = bills.bill_id
    where
        payments.payment_status = 'SUCCESSFUL'
        and {{ to_date('payments.received_at') }} <= {{ as_of_date() }}
    group by bills.bill_period_id
),

billed as (
    select * from bill_periods_billed
    where
        has_accepted_bill
        and {{ to_date('bill_created_at') }} <= {{ as_of_date() }}
),

joined as (
    select
        billed.bill_period_id,
        billed.bill_id,
        billed.account_id,
        accounts.customer_id,
        account_regions.region,
        {{ to_date('billed.bill_created_at') }} as bill_created_date,
        {{ month_start('billed.bill_created_at') }} as bill_month,
        {{ to_date('billed.bill_due_at') }} as bill_due_date,
        billed.gross_amount_gbp,
        billed.net_amount_gbp,
        coalesce(period_payments.paid_amount_gbp, 0) as paid_amount_gbp,
        {{ to_date('period_payments.last_payment_at') }} as last_payment_date
    from billed
    left join accounts
        on billed.account_id = accounts.account_id
    left join account_regions
        on billed.account_id = account_regions.account_id
    left join period_payments
        on billed.bill_period_id = period_payments.bill_period_id
),

final as (
    select
        bill_period_id,
        bill_id,
        account_id,
        customer_id,
        region,
        bill_created_date,
        bill_month,
        bill_due_date,
        gross_amount_gbp,
        net_amount_gbp,
        paid_amount_gbp,
        last_payment_date,
        {{ operations_payment_status('paid_amount_gbp', 'gross_amount_gbp') }} as payment_status,
        {{ operations_payment_status('paid_amount_gbp', 'gross_amount_gbp') }} = 'paid' as is_paid,
        {{ operations_payment_status('paid_amount_gbp', 'gross_amount_gbp') }} != 'paid'
        and bill_due_date < {{ as_of_date() }} as is_overdue
    from joined
)

select * from final
