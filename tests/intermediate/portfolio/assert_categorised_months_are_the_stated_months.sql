-- every month-end state is categorised once, and nothing else: int_accounts_categorised_monthly
-- and int_accounts_stated_monthly hold the same (account_id, activity_month) keys; fails with the
-- keys found on one side only
with

stated as (
    select
        account_id,
        activity_month
    from {{ ref('int_accounts_stated_monthly') }}
),

categorised as (
    select
        account_id,
        activity_month
    from {{ ref('int_accounts_categorised_monthly') }}
),

final as (
    select
        coalesce(stated.account_id, categorised.account_id) as account_id,
        coalesce(stated.activity_month, categorised.activity_month) as activity_month,
        case
            when categorised.account_id is null then 'stated only' else 'categorised only'
        end as found
    from stated
    full outer join categorised
        on
            stated.account_id = categorised.account_id
            and stated.activity_month = categorised.activity_month
    where stated.account_id is null or categorised.account_id is null
)

select * from final
