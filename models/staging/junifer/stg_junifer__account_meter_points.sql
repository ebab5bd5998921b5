-- one row per account and meter point supply link: current version
with

source as (
    select * from {{ source('junifer_enriched', 'account_meter_point') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as account_meter_point_id,
        account_id,
        meter_point_id,
        from_dttm as supply_start_at,
        to_dttm as supply_end_at,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
