-- one row per account event
with

source as (
    select * from {{ source('pulse', 'account_event') }}
),

renamed as (
    select
        event_id as account_event_id,
        account_id,
        event_type,
        event_at
    from source
)

select * from renamed
