-- one row per complaint
with

source as (
    select * from {{ source('customer_feedback', 'complaint') }}
),

renamed as (
    select
        complaint_id,
        customer_id,
        received_at,
        resolved_at,
        category
    from source
)

select * from renamed
