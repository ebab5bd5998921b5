-- one row per PAYG customer, personal data left out
with

source as (
    select * from {{ source('pulse', 'customer') }}
),

renamed as (
    select
        customer_id,
        territory,
        created_at
    from source
)

select * from renamed
