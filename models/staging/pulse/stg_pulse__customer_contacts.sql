-- one row per PAYG customer: personal data only (restricted)
with

source as (
    select * from {{ source('pulse', 'customer') }}
),

renamed as (
    select
        customer_id,
        customer_name,
        phone_number
    from source
)

select * from renamed
