-- one row per bill line: current version
with

source as (
    select * from {{ source('junifer_enriched', 'bill_line') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as bill_line_id,
        bill_id,
        mpxn,
        charge_type,
        quantity_kwh,
        amount as amount_gbp,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
