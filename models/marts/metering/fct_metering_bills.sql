-- one row per bill period billed (with a latest ACCEPTED bill): its bill, region and payment status
with

bill_periods_billed as (
    select * from {{ ref('int_bill_periods_billed') }}
),

bills as (
    select * from {{ ref('stg_junifer__bills') }}
),

payments as (
    select * from {{ ref('stg_junifer__payments') }}
),

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

account_meter_points as (
    select * from {{ ref('stg_junifer__account_meter_points') }}
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
