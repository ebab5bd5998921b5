-- one row per Junifer account: current version
with

source as (
    select * from {{ source('junifer_enriched', 'account') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as account_id,
        account_number,
        customer_id,
        from_dttm as service_start_at,
        to_dttm as service_end_at
    from current_versions
)

select * from renamed
