-- the bill kept for a period is its latest ACCEPTED bill: no accepted bill of the period is newer
with

bills as (
    select * from {{ ref('stg_junifer__bills') }}
),

bill_periods_billed as (
    select * from {{ ref('int_bill_periods_billed') }}
),

newer_accepted_bills as (
    select
        bill_periods_billed.bill_period_id,
        bill_periods_billed.bill_id as kept_bill_id,
        bills.bill_id as newer_bill_id
    from bill_periods_billed
    inner join bills
        on bill_periods_billed.bill_period_id = bills.bill_period_id
    where
        bills.bill_status = 'ACCEPTED'
        and (
            bill_periods_billed.bill_id is null
            or bills.created_at > bill_periods_billed.bill_created_at
        )
)

select * from newer_accepted_bills
