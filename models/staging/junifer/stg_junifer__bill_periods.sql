-- one row per bill period: current version
with

source as (
    select * from {{ source('junifer_enriched', 'bill_period') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as bill_period_id,
        account_id,
        from_dttm as period_start_at,
        to_dttm as period_end_at,
        status_code,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
