-- one row per notification sent
with

source as (
    select * from {{ source('pulse', 'notification') }}
),

renamed as (
    select
        notification_id,
        account_id,
        campaign_name,
        notification_name,
        language,
        delivery_state,
        sent_at
    from source
)

select * from renamed
