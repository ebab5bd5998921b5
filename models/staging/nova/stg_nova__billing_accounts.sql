-- one row per billing account: current version
with

source as (
    select * from {{ source('nova_be_customers_enriched', 'billing_account') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as billing_account_id,
        customer_id,
        account_number,
        created_at
    from current_versions
)

select * from renamed
