-- fct_opower_feed_exceptions lists exactly the flagged feed rows, row by row: one row per feed row
-- (usage_interval_id) and rule it breaks, under the rule's name. The expected pairs are read
-- from each flag here (not through has_rule_break), so a missing, extra or mislabelled
-- exception is returned, and so is an empty feed or an empty exceptions list (a real feed
-- always has off-cycle first and final bills, so nothing to report means nothing was checked)
with

feed as (
    select * from {{ ref('fct_opower_usage_feed') }}
),

exceptions as (
    select * from {{ ref('fct_opower_feed_exceptions') }}
),

expected as (
    select
        usage_interval_id,
        'gap_or_overlap' as rule_name
    from feed
    where is_gap_or_overlap
    union all
    select
        usage_interval_id,
        'service_point_on_two_accounts' as rule_name
    from feed
    where is_on_two_accounts
    union all
    select
        usage_interval_id,
        'active_date_changed' as rule_name
    from feed
    where is_active_date_changed
    union all
    select
        usage_interval_id,
        'inactive_date_not_after_active_date' as rule_name
    from feed
    where is_inactive_not_after_active
    union all
    select
        usage_interval_id,
        'usage_outside_active_window' as rule_name
    from feed
    where is_outside_active_window
    union all
    select
        usage_interval_id,
        'customer_over_two_premises' as rule_name
    from feed
    where is_customer_over_two_premises
    union all
    select
        usage_interval_id,
        'service_point_premise_changed' as rule_name
    from feed
    where is_premise_changed
    union all
    select
        usage_interval_id,
        'service_point_is_meter_serial' as rule_name
    from feed
    where is_service_point_meter_serial
    union all
    select
        usage_interval_id,
        'negative_usage_not_net_metered' as rule_name
    from feed
    where is_negative_usage_not_net_metered
    union all
    select
        usage_interval_id,
        'off_cycle_period' as rule_name
    from feed
    where is_off_cycle
    union all
    select
        usage_interval_id,
        'dual_fuel_unlinked' as rule_name
    from feed
    where is_dual_fuel_unlinked
    union all
    select
        usage_interval_id,
        'rate_code_missing' as rule_name
    from feed
    where is_rate_code_missing
    union all
    select
        usage_interval_id,
        'rate_code_not_allowed' as rule_name
    from feed
    where is_rate_code_not_allowed
),

both_sides as (
    select
        usage_interval_id,
        rule_name,
        1 as expected_rows,
        0 as exception_rows
    from expected
    union all
    select
        usage_interval_id,
        rule_name,
        0 as expected_rows,
        1 as exception_rows
    from exceptions
),

compared as (
    select
        usage_interval_id,
        rule_name,
        sum(expected_rows) as expected_rows,
        sum(exception_rows) as exception_rows
    from both_sides
    group by usage_interval_id, rule_name
),

mismatches as (
    select
        'exception differs from the feed flags' as problem,
        usage_interval_id,
        rule_name,
        expected_rows,
        exception_rows
    from compared
    where expected_rows <> 1 or exception_rows <> 1
),

empty_sides as (
    select
        'fct_opower_usage_feed is empty' as problem,
        cast(null as {{ dbt.type_string() }}) as usage_interval_id,
        cast(null as {{ dbt.type_string() }}) as rule_name,
        0 as expected_rows,
        0 as exception_rows
    from (select count(*) as row_count from feed) as counted
    where row_count = 0
    union all
    select
        'fct_opower_feed_exceptions is empty' as problem,
        cast(null as {{ dbt.type_string() }}) as usage_interval_id,
        cast(null as {{ dbt.type_string() }}) as rule_name,
        0 as expected_rows,
        0 as exception_rows
    from (select count(*) as row_count from exceptions) as counted
    where row_count = 0
),

final as (
    select * from mismatches
    union all
    select * from empty_sides
)

select * from final
