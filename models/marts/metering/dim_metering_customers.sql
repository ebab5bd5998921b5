-- one row per Nova customer (no personal data)
with

customers as (
    select * from {{ ref('int_customers_regioned') }}
),

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

open_accounts as (
    select
        customer_id,
        count(*) as accounts_in_supply
    from accounts
    where
        {{ to_date('service_start_at') }} <= {{ as_of_date() }}
        and (service_end_at is null or {{ to_date('service_end_at') }} > {{ as_of_date() }})
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.region,
        {{ to_date('customers.created_at') }} as customer_created_date,
        {{ to_date('customers.first_service_start_at') }} as first_service_start_date,
        {{ month_start('customers.first_service_start_at') }} as acquisition_month,
        customers.accounts_held,
        coalesce(open_accounts.accounts_in_supply, 0) > 0 as is_in_supply
    from customers
    left join open_accounts
        on customers.customer_id = open_accounts.customer_id
)

select * from final
