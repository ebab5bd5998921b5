-- one row per technician (no name: names stay in the restricted schema)
with

technicians as (
    select * from {{ ref('stg_field_ops__technicians') }}
),

final as (
    select
        technician_id,
        region
    from technicians
)

select * from final
