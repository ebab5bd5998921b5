-- one row per meter point: current version
with

source as (
    select * from {{ source('junifer_enriched', 'meter_point') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as meter_point_id,
        mpxn,
        fuel_type,
        property_id,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
