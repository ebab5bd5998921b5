-- one row per technician: name only (restricted)
with

source as (
    select * from {{ source('field_ops', 'technician') }}
),

renamed as (
    select
        technician_id,
        technician_name
    from source
)

select * from renamed
