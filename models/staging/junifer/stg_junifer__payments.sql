-- one row per payment: current version
with

source as (
    select * from {{ source('junifer_enriched', 'payment') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as payment_id,
        account_id,
        bill_id,
        received_dttm as received_at,
        amount as amount_gbp,
        payment_method,
        status as payment_status,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
