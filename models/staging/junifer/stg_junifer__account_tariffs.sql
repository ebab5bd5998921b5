-- one row per account, meter point and tariff spell: current version
with

source as (
    select * from {{ source('junifer_enriched', 'account_tariff') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as account_tariff_id,
        account_id,
        meter_point_id,
        tariff_code,
        tariff_name,
        from_dttm as tariff_start_at,
        to_dttm as tariff_end_at,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
