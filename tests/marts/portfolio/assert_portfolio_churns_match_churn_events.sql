-- the month-end transitions to Repossessed and to Lost/Written Off agree, account by account and
-- month by month, with Pulse's REPOSSESSED and WRITTEN_OFF account events up to the as-of day
-- (docs/portfolio.md): a transition without its event, an event without its transition, or an
-- empty side is returned
with

account_months as (
    select * from {{ ref('fct_portfolio_account_monthly') }}
),

account_events as (
    select * from {{ ref('stg_pulse__account_events') }}
),

both_sides as (
    select
        account_id,
        activity_month,
        'REPOSSESSED' as churn_type,
        repossessions as transitions,
        0 as events
    from account_months
    where repossessions > 0
    union all
    select
        account_id,
        activity_month,
        'WRITTEN_OFF' as churn_type,
        write_offs as transitions,
        0 as events
    from account_months
    where write_offs > 0
    union all
    select
        account_id,
        {{ month_start('event_at') }} as activity_month,
        event_type as churn_type,
        0 as transitions,
        1 as events
    from account_events
    where
        event_type in ('REPOSSESSED', 'WRITTEN_OFF')
        and {{ to_date('event_at') }} <= {{ as_of_date() }}
),

compared as (
    select
        account_id,
        activity_month,
        churn_type,
        sum(transitions) as transitions,
        sum(events) as events
    from both_sides
    group by account_id, activity_month, churn_type
),

side_counts as (
    select
        sum(transitions) as transitions,
        sum(events) as events
    from compared
),

final as (
    select
        'transition and event differ' as problem,
        account_id,
        activity_month,
        churn_type,
        transitions,
        events
    from compared
    where transitions <> events
    union all
    select
        'no churn transition or no churn event at all' as problem,
        null as account_id,
        null as activity_month,
        null as churn_type,
        transitions,
        events
    from side_counts
    where coalesce(transitions, 0) = 0 or coalesce(events, 0) = 0
)

select * from final
