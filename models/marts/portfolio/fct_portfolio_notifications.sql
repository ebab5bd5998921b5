-- one row per notification sent to a PAYG account, with the account's region, CU type and
-- subsidy (the Notifications count of 002, sliced by campaign, name, language, delivery state)
-- Incremental: notifications are loaded when they are sent; a run rebuilds those of the lookback
-- window and every notification of an account whose current version started in the window (its
-- opco, shop, CU type or subsidy changed), replaced by notification_id.
-- depends_on: {{ ref('util_as_of_date') }} (the lookback window's anchor)
{{ config(**incremental_by_key(
    'notification_id', 'sent_date', cluster_by=['opco', 'campaign_name']
)) }}

with

notifications as (
    select * from {{ ref('stg_pulse__notifications') }}
    {% if is_incremental() %}
        where
            {{ loaded_within_lookback('sent_at') }}
            or account_id in (
                select account_id from {{ ref('stg_pulse__accounts') }}
                where {{ loaded_within_lookback('valid_from_at') }}
            )
    {% endif %}
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
