-- one row per sale order
with

source as (
    select * from {{ source('pulse', 'sale_order') }}
),

renamed as (
    select
        sale_order_id,
        account_id,
        ordered_at,
        fulfilled_at,
        status as sale_order_status
    from source
)

select * from renamed
