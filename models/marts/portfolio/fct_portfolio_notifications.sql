-- one row per notification sent to a PAYG account, with the account's region, CU type and
-- subsidy (the Notifications count of 002, sliced by campaign, name, language, delivery state)
with

notifications as (
    select * from {{ ref('stg_pulse__notifications') }}
),

accounts as (
    select * from {{ ref('stg_pulse__accounts') }}
),

final as (
    select
        notifications.notification_id,
        notifications.account_id,
        notifications.sent_at,
        {{ to_date('notifications.sent_at') }} as sent_date,
        {{ month_start('notifications.sent_at') }} as sent_month,
        notifications.campaign_name,
        notifications.notification_name,
        notifications.language,
        notifications.delivery_state,
        accounts.opco,
        accounts.shop,
        accounts.cu_type,
        accounts.subsidy
    from notifications
    left join accounts
        on notifications.account_id = accounts.account_id
)

select * from final
