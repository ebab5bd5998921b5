-- one row per smart meter booking: current version
with

source as (
    select * from {{ source('nova_be_customers_enriched', 'smart_meter_bookings') }}
),

current_versions as (
    select * from source
    where {{ is_current_version() }}
),

renamed as (
    select
        id as booking_id,
        customer_id,
        {{ dbt.safe_cast('billing_account_id', dbt.type_bigint()) }} as billing_account_id,
        aes_status,
        aes_job_number,
        mop_status,
        slot_start_date_time as slot_start_at,
        slot_end_date_time as slot_end_at,
        installed_datetime as installed_at,
        failed_datetime as failed_at,
        failure_reason,
        cancel_reason,
        cancellation_date_time as cancelled_at,
        fuel_type,
        installation_type,
        source as booking_source,
        mpan,
        mprn,
        created_at
    from current_versions
)

select * from renamed
