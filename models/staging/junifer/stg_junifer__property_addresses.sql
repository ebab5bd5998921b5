-- one row per property: current version, address only (restricted)
with

source as (
    select * from {{ source('junifer_enriched', 'property') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as property_id,
        address_line_1,
        postcode
    from current_versions
)

select * from renamed
