-- one row per meter reading submission: current version
with

source as (
    select * from {{ source('nova_be_assets_enriched', 'meter_reading') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as meter_reading_id,
        meter_id,
        source as reading_source,
        status as reading_status,
        workflow_status,
        reading_dttm as taken_at,
        consumption as consumption_kwh,
        submission_processed as is_submission_processed,
        created_at as received_at,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
