-- the monthly consumption (by region and fuel) and the customer consumption add up to the
-- IMPORT consumption of the actual reads up to the as-of date: returns a row when they differ
with

actual_meter_reads as (
    select * from {{ ref('stg_junifer__actual_meter_reads') }}
),

consumption_monthly as (
    select * from {{ ref('fct_metering_consumption_monthly') }}
),

customer_consumption_monthly as (
    select * from {{ ref('fct_metering_customer_consumption_monthly') }}
),

totals as (
    select
        (
            select sum(consumption_kwh) from actual_meter_reads
            where register = 'IMPORT' and read_date <= {{ as_of_date() }}
        ) as staged_kwh,
        (select sum(consumption_kwh) from consumption_monthly) as monthly_kwh,
        (select sum(consumption_kwh) from customer_consumption_monthly) as customer_kwh
),

final as (
    select * from totals
    where
        abs(staged_kwh - monthly_kwh) > 0.001
        or abs(staged_kwh - customer_kwh) > 0.001
)

select * from final
