-- one row per PAYG account: current version, names of its agent and technicians only (restricted)
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
        sign_up_sales_agent,
        install_technician,
        upgrade_technician
    from current_versions
)

select * from renamed
