-- one row per meter fault: current version
with

source as (
    select * from {{ source('nova_be_assets_enriched', 'meter_fault') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as meter_fault_id,
        meter_id,
        fault_dttm as fault_at,
        fault_code,
        resolved_dttm as resolved_at
    from current_versions
)

select * from renamed
