-- one row per PAYG payment
with

source as (
    select * from {{ source('pulse', 'payment') }}
),

renamed as (
    select
        payment_id,
        account_id,
        paid_at,
        amount,
        credit_days
    from source
)

select * from renamed
