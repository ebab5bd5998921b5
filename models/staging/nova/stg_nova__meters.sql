-- one row per meter: current version
with

source as (
    select * from {{ source('nova_be_assets_enriched', 'meter') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as meter_id,
        msn,
        mpxn,
        fuel_type,
        meter_type,
        status as meter_status,
        health_status,
        installed_at,
        removed_at,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
