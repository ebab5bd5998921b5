-- one row per bill: current version
with

source as (
    select * from {{ source('junifer_enriched', 'bill') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as bill_id,
        account_id,
        bill_period_id,
        created_dttm as created_at,
        gross_amount as gross_amount_gbp,
        net_amount as net_amount_gbp,
        status as bill_status,
        due_dttm as due_at,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
