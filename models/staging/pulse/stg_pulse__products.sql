-- one row per product
with

source as (
    select * from {{ source('pulse', 'product') }}
),

renamed as (
    select
        product_id,
        product_name,
        product_category,
        tags,
        has_iot
    from source
)

select * from renamed
