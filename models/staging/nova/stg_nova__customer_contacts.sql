-- one row per Nova customer: current version, personal data only (restricted)
with

source as (
    select * from {{ source('nova_be_customers_enriched', 'customer') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as customer_id,
        first_name,
        last_name,
        email,
        phone
    from current_versions
)

select * from renamed
