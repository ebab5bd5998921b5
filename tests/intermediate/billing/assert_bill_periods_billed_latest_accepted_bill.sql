-- the bill kept for a period is its latest ACCEPTED bill: no accepted bill of the period is newer
-- (created later, or at the same instant with a higher bill_id: the tiebreak), and the kept bill
-- is itself an ACCEPTED bill of that period
with

bills as (
    select * from {{ ref('stg_junifer__bills') }}
),

bill_periods_billed as (
    select * from {{ ref('int_bill_periods_billed') }}
),

newer_accepted_bills as (
    select
        'a newer accepted bill' as problem,
        bill_periods_billed.bill_period_id,
        bill_periods_billed.bill_id as kept_bill_id,
        bills.bill_id as other_bill_id
    from bill_periods_billed
    inner join bills
        on bill_periods_billed.bill_period_id = bills.bill_period_id
    where
        bills.bill_status = 'ACCEPTED'
        and (
            bill_periods_billed.bill_id is null
            or bills.created_at > bill_periods_billed.bill_created_at
            or (
                bills.created_at = bill_periods_billed.bill_created_at
                and bills.bill_id > bill_periods_billed.bill_id
            )
        )
),

kept_bills_not_accepted as (
    select
        'the kept bill is not an accepted bill of the period' as problem,
        bill_periods_billed.bill_period_id,
        bill_periods_billed.bill_id as kept_bill_id,
        bills.bill_id as other_bill_id
    from bill_periods_billed
    left join bills
        on
            bill_periods_billed.bill_id = bills.bill_id
            and bill_periods_billed.bill_period_id = bills.bill_period_id
            and bills.bill_status = 'ACCEPTED'
    where
        bill_periods_billed.bill_id is not null
        and bills.bill_id is null
),

final as (
    select * from newer_accepted_bills
    union all
    select * from kept_bills_not_accepted
)

select * from final
