-- the metering consumption facts reconcile with the actual reads up to the as-of date, row by row:
-- per read month, the monthly fact (by region and fuel) holds the reads and the import kWh (every
-- register but EXPORT: IMPORT, DAY, NIGHT) of staging; per read month and customer (the reads'
-- Junifer account), the customer fact does.
-- A month or customer missing on either side, a difference, or an empty side is returned.
with

actual_meter_reads as (
    select * from {{ ref('stg_junifer__actual_meter_reads') }}
),

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

consumption_monthly as (
    select * from {{ ref('fct_metering_consumption_monthly') }}
),

customer_consumption_monthly as (
    select * from {{ ref('fct_metering_customer_consumption_monthly') }}
),

staged_reads as (
    select
        {{ month_start('actual_meter_reads.read_date') }} as read_month,
        accounts.customer_id,
        case
            when actual_meter_reads.register <> 'EXPORT' then actual_meter_reads.consumption_kwh
            else 0
        end as import_kwh
    from actual_meter_reads
    left join accounts
        on actual_meter_reads.account_number = accounts.account_number
    where actual_meter_reads.read_date <= {{ as_of_date() }}
),

-- per read month: staging against the monthly fact
monthly_sides as (
    select
        read_month,
        1 as staged_reads,
        import_kwh as staged_kwh,
        0 as fact_reads,
        0 as fact_kwh,
        1 as staged_rows,
        0 as fact_rows
    from staged_reads
    union all
    select
        read_month,
        0 as staged_reads,
        0 as staged_kwh,
        reads as fact_reads,
        consumption_kwh as fact_kwh,
        0 as staged_rows,
        1 as fact_rows
    from consumption_monthly
),

monthly_compared as (
    select
        'fct_metering_consumption_monthly' as fact,
        read_month,
        cast(null as {{ dbt.type_int() }}) as customer_id,
        sum(staged_reads) as staged_reads,
        sum(fact_reads) as fact_reads,
        sum(staged_kwh) as staged_kwh,
        sum(fact_kwh) as fact_kwh,
        sum(staged_rows) as staged_rows,
        sum(fact_rows) as fact_rows
    from monthly_sides
    group by read_month
),

-- per read month and customer: staging against the customer fact
customer_sides as (
    select
        read_month,
        customer_id,
        1 as staged_reads,
        import_kwh as staged_kwh,
        0 as fact_reads,
        0 as fact_kwh,
        1 as staged_rows,
        0 as fact_rows
    from staged_reads
    union all
    select
        read_month,
        customer_id,
        0 as staged_reads,
        0 as staged_kwh,
        reads as fact_reads,
        consumption_kwh as fact_kwh,
        0 as staged_rows,
        1 as fact_rows
    from customer_consumption_monthly
),

customer_compared as (
    select
        'fct_metering_customer_consumption_monthly' as fact,
        read_month,
        customer_id,
        sum(staged_reads) as staged_reads,
        sum(fact_reads) as fact_reads,
        sum(staged_kwh) as staged_kwh,
        sum(fact_kwh) as fact_kwh,
        sum(staged_rows) as staged_rows,
        sum(fact_rows) as fact_rows
    from customer_sides
    group by read_month, customer_id
),

compared as (
    select * from monthly_compared
    union all
    select * from customer_compared
),

mismatches as (
    select * from compared
    where
        staged_rows = 0
        or fact_rows = 0
        or staged_reads <> fact_reads
        or abs(coalesce(staged_kwh, 0) - coalesce(fact_kwh, 0)) > 0.001
        or (staged_kwh is null) <> (fact_kwh is null)
),

-- a side with no rows at all (nothing compared, so nothing could differ)
side_counts as (
    select
        'staged reads up to the as-of date' as fact,
        count(*) as row_count
    from staged_reads
    union all
    select
        'fct_metering_consumption_monthly' as fact,
        count(*) as row_count
    from consumption_monthly
    union all
    select
        'fct_metering_customer_consumption_monthly' as fact,
        count(*) as row_count
    from customer_consumption_monthly
),

empty_sides as (
    select
        fact,
        cast(null as date) as read_month,
        cast(null as {{ dbt.type_int() }}) as customer_id,
        0 as staged_reads,
        0 as fact_reads,
        0 as staged_kwh,
        0 as fact_kwh,
        0 as staged_rows,
        0 as fact_rows
    from side_counts
    where row_count = 0
),

final as (
    select * from mismatches
    union all
    select * from empty_sides
)

select * from final
