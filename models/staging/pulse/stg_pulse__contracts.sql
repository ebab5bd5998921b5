-- one row per contract: current version
with

source as (
    select * from {{ source('pulse', 'contract') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        contract_id,
        account_id,
        sale_order_id,
        product_id,
        is_upfront,
        status as contract_status,
        finish_reason,
        activated_at,
        finished_at,
        total_price,
        downpayment,
        daily_rate,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
