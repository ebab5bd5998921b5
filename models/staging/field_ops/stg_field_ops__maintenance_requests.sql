-- one row per maintenance request
with

source as (
    select * from {{ source('field_ops', 'maintenance_request') }}
),

renamed as (
    select
        request_id as maintenance_request_id,
        customer_id,
        meter_id,
        technician_id,
        request_dttm as requested_at,
        resolution_dttm as resolved_at,
        request_type
    from source
)

select * from renamed
