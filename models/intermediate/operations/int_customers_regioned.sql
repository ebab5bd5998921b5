-- one row per Nova customer: home region and first service start, from their Junifer accounts
with

customers as (
    select * from {{ ref('stg_nova__customers') }}
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

account_regions as (
    select
        accounts.account_id,
        accounts.customer_id,
        accounts.service_start_at,
        accounts.service_end_at,
        meter_points.region,
        row_number() over (
            partition by accounts.customer_id
            order by
                accounts.service_start_at desc,
                accounts.account_id desc,
                account_meter_points.supply_start_at asc,
                account_meter_points.meter_point_id asc
        ) as latest_account_rank
    from accounts
    left join account_meter_points
        on accounts.account_id = account_meter_points.account_id
    left join meter_points
        on account_meter_points.meter_point_id = meter_points.meter_point_id
),

home_regions as (
    select
        customer_id,
        region
    from account_regions
    where latest_account_rank = 1
),

service_spans as (
    select
        customer_id,
        count(*) as accounts_held,
        min(service_start_at) as first_service_start_at
    from accounts
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.created_at,
        home_regions.region,
        service_spans.first_service_start_at,
        coalesce(service_spans.accounts_held, 0) as accounts_held
    from customers
    left join home_regions
        on customers.customer_id = home_regions.customer_id
    left join service_spans
        on customers.customer_id = service_spans.customer_id
)

select * from final
