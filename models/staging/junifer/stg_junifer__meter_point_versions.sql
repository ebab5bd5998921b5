-- one row per Junifer meter point version (SCD2 history: every version, current or not)
with

source as (
    select * from {{ source('junifer_enriched', 'meter_point') }}
),

renamed as (
    select
        {{ surrogate_key(['id', 'meta_effective_from_timestamp']) }} as meter_point_version_id,
        id as meter_point_id,
        mpxn,
        fuel_type,
        property_id,
        meta_effective_from_timestamp as valid_from_at,
        meta_effective_to_timestamp as valid_to_at,
        {{ is_current_version() }} as is_current_version
    from source
)

select * from renamed
