-- one row per technician, name left out
with

source as (
    select * from {{ source('field_ops', 'technician') }}
),

renamed as (
    select
        technician_id,
        region
    from source
)

select * from renamed
