-- one row per broken Opower rule and feed row (service point and bill period) that breaks it
with

feed as (
    select * from {{ ref('fct_opower_usage_feed') }}
),

broken_rules as (
    select
        'gap_or_overlap' as rule_name,
        usage_interval_id,
        case
            when previous_date_to < expected_previous_date_to then 'gap'
            else 'overlap'
        end as rule_detail
    from feed
    where is_gap_or_overlap
    union all
    select
        'service_point_on_two_accounts' as rule_name,
        usage_interval_id,
        'another account is billed or supplied on some of these days' as rule_detail
    from feed
    where is_on_two_accounts
    union all
    select
        'active_date_changed' as rule_name,
        usage_interval_id,
        'the account has several service starts across its versions' as rule_detail
    from feed
    where is_active_date_changed
    union all
    select
        'inactive_date_not_after_active_date' as rule_name,
        usage_interval_id,
        'inactive_date is on or before active_date' as rule_detail
    from feed
    where is_inactive_not_after_active
    union all
    select
        'usage_outside_active_window' as rule_name,
        usage_interval_id,
        case
            when active_date is null then 'no account'
            when date_from < active_date then 'starts before active_date'
            else 'ends on or after inactive_date'
        end as rule_detail
    from feed
    where is_outside_active_window
    union all
    select
        'customer_over_two_premises' as rule_name,
        usage_interval_id,
        'customer active at more than two premises: no neighbour comparisons' as rule_detail
    from feed
    where is_customer_over_two_premises
    union all
    select
        'service_point_premise_changed' as rule_name,
        usage_interval_id,
        'the service point appears at more than one premise' as rule_detail
    from feed
    where is_premise_changed
    union all
    select
        'service_point_is_meter_serial' as rule_name,
        usage_interval_id,
        'service_point_id equals a meter serial number' as rule_detail
    from feed
    where is_service_point_meter_serial
    union all
    select
        'negative_usage_not_net_metered' as rule_name,
        usage_interval_id,
        'negative usage_value on a point without an export register' as rule_detail
    from feed
    where is_negative_usage_not_net_metered
    union all
    select
        'off_cycle_period' as rule_name,
        usage_interval_id,
        case
            when duration < 25 then 'shorter than 25 days'
            else 'longer than 35 days'
        end as rule_detail
    from feed
    where is_off_cycle
    union all
    select
        'dual_fuel_unlinked' as rule_name,
        usage_interval_id,
        'the other fuel at this premise is billed to another customer' as rule_detail
    from feed
    where is_dual_fuel_unlinked
),

final as (
    select
        broken_rules.rule_name,
        broken_rules.rule_detail,
        feed.service_point_id,
        feed.usage_interval_id,
        feed.bill_period_id,
        feed.account_id,
        feed.customer_id,
        feed.premise_id,
        feed.fuel,
        feed.date_from,
        feed.date_to,
        feed.duration,
        feed.usage_value,
        feed.ineligible_until_date
    from broken_rules
    inner join feed
        on broken_rules.usage_interval_id = feed.usage_interval_id
)

select * from final
