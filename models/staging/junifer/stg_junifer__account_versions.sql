-- one row per Junifer account version (SCD2 history: every version, current or not)
with

source as (
    select * from {{ source('junifer_enriched', 'account') }}
),

renamed as (
    select
        {{ surrogate_key(['id', 'meta_effective_from_timestamp']) }} as account_version_id,
        id as account_id,
        account_number,
        customer_id,
        from_dttm as service_start_at,
        to_dttm as service_end_at,
        meta_effective_from_timestamp as valid_from_at,
        meta_effective_to_timestamp as valid_to_at,
        {{ is_current_version() }} as is_current_version
    from source
)

select * from renamed
