-- one row per installation visit (AES job)
with

source as (
    select * from {{ source('field_ops', 'install_job') }}
),

renamed as (
    select
        aes_job_number,
        technician_id,
        arrived_dttm as arrived_at,
        completed_dttm as completed_at,
        outcome
    from source
)

select * from renamed
