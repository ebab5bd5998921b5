-- one row per PAYG account: current version, people's names left out
with

source as (
    select * from {{ source('pulse', 'account') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        account_id,
        customer_id,
        opco,
        shop,
        cu_type,
        subsidy,
        sign_up_sales_agent_code,
        install_technician_code,
        upgrade_technician_code,
        installed_at,
        created_at,
        meta_effective_from_timestamp as valid_from_at
    from current_versions
)

select * from renamed
