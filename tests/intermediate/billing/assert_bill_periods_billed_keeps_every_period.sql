-- every current Junifer bill period is in int_bill_periods_billed, billed or not (none dropped)
with

bill_periods as (
    select * from {{ ref('stg_junifer__bill_periods') }}
),

bill_periods_billed as (
    select * from {{ ref('int_bill_periods_billed') }}
),

missing as (
    select bill_periods.bill_period_id
    from bill_periods
    left join bill_periods_billed
        on bill_periods.bill_period_id = bill_periods_billed.bill_period_id
    where bill_periods_billed.bill_period_id is null
)

select * from missing
