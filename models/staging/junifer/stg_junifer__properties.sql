-- one row per property: current version, address left out
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
        town,
        region
    from current_versions
)

select * from renamed
