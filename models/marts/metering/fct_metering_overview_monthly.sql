-- one row per month (up to the as-of month) and region: the overview page of the dashboard
with

months as (
    select * from {{ ref('util_month_spine') }}
),

customers_monthly as (
    select * from {{ ref('fct_metering_customers_monthly') }}
),

consumption_monthly as (
    select * from {{ ref('fct_metering_consumption_monthly') }}
),

revenue_monthly as (
    select * from {{ ref('fct_metering_revenue_monthly') }}
),

meters_monthly as (
    select * from {{ ref('fct_metering_meters_monthly') }}
),

regions as (
    select distinct region from customers_monthly
    union distinct
    select distinct region from consumption_monthly
    union distinct
    select distinct region from revenue_monthly
    union distinct
    select distinct region from meters_monthly
),

first_month as (
    select min(supply_month) as first_month
    from customers_monthly
),

month_regions as (
    select
        months.month_start_date as overview_month,
        regions.region
    from months
    cross join regions
    cross join first_month
    where months.month_start_date >= first_month.first_month
),

consumption as (
    select
        read_month,
        region,
        sum(consumption_kwh) as consumption_kwh
    from consumption_monthly
    group by
        read_month,
        region
),

meters as (
    select
        meter_month,
        region,
        sum(meters_in_service) as meters_in_service,
        sum(meters_inactive) as meters_inactive
    from meters_monthly
    group by
        meter_month,
        region
),

final as (
    select
        {{ surrogate_key(['month_regions.overview_month', 'month_regions.region']) }}
            as overview_monthly_id,
        month_regions.overview_month,
        month_regions.region,
        coalesce(customers_monthly.customers_in_supply, 0) as customers_in_supply,
        cast(coalesce(customers_monthly.customers_at_month_end, 0) as {{ dbt.type_bigint() }})
            as customers_at_month_end,
        coalesce(consumption.consumption_kwh, 0) as consumption_kwh,
        coalesce(revenue_monthly.revenue_gbp, 0) as revenue_gbp,
        cast(coalesce(meters.meters_in_service, 0) as {{ dbt.type_bigint() }}) as meters_in_service,
        cast(coalesce(meters.meters_inactive, 0) as {{ dbt.type_bigint() }}) as meters_inactive
    from month_regions
    left join customers_monthly
        on
            month_regions.overview_month = customers_monthly.supply_month
            and month_regions.region is not distinct from customers_monthly.region
    left join consumption
        on
            month_regions.overview_month = consumption.read_month
            and month_regions.region is not distinct from consumption.region
    left join revenue_monthly
        on
            month_regions.overview_month = revenue_monthly.bill_month
            and month_regions.region is not distinct from revenue_monthly.region
    left join meters
        on
            month_regions.overview_month = meters.meter_month
            and month_regions.region is not distinct from meters.region
)

select * from final
