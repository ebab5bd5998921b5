-- one row per broken Opower rule and feed row (service point and bill period) that breaks it
-- Incremental: a run reads the feed rows of the points whose exceptions can have changed
-- (opower_exceptions_rebuilt_points_ctes: the changed service points and their premise and customer
-- neighbours, found by key) and writes their breaks, replaced by (rule_name, usage_interval_id);
-- the post-hook deletes those points' rows the feed no longer breaks.
-- depends_on: {{ ref('int_service_points_refresh_scoped') }}
{{ config(**incremental_by_key(
    ['rule_name', 'usage_interval_id'], 'date_to', cluster_by=['service_point_id', 'rule_name']
)) }}
{{ config(post_hook="{{ opower_exceptions_delete_stale() }}") }}

with

{% if is_incremental() %}
    {{ opower_exceptions_rebuilt_points_ctes(ref('fct_opower_usage_feed'), this) }},
{% endif %}

feed as (
    select * from {{ ref('fct_opower_usage_feed') }}
),

-- the feed rows breaking at least one rule: the feed is read once, not once per rule
breaking_rows as (
    select * from feed
    where has_rule_break
    {% if is_incremental() %}
        and service_point_id in (
            select exceptions_rebuilt_points.service_point_id from exceptions_rebuilt_points
        )
    {% endif %}
),

rules as (
    {{ opower_rules_select() }}
),

-- every (row, rule) pair with whether the row breaks the rule, and how
checked as (
    select
        rules.rule_name,
        breaking_rows.usage_interval_id,
        {{ opower_rule_is_broken('rules.rule_name', 'breaking_rows') }} as is_broken,
        case rules.rule_name
            when 'gap_or_overlap'
                then case
                        when
                            breaking_rows.previous_date_to
                            < breaking_rows.expected_previous_date_to
                            then 'gap'
                        else 'overlap'
                    end
            when 'service_point_on_two_accounts'
                then 'another account is billed or supplied on some of these days'
            when 'active_date_changed'
                then 'the account has several service starts across its versions'
            when 'inactive_date_not_after_active_date'
                then 'inactive_date is on or before active_date'
            when 'usage_outside_active_window'
                then case
                        when breaking_rows.active_date is null then 'no account'
                        when breaking_rows.date_from < breaking_rows.active_date
                            then 'starts before active_date'
                        else 'ends on or after inactive_date'
                    end
            when 'customer_over_two_premises'
                then 'customer active at more than two premises: no neighbour comparisons'
            when 'service_point_premise_changed'
                then 'the service point appears at more than one premise'
            when 'service_point_is_meter_serial'
                then 'service_point_id equals a meter serial number'
            when 'negative_usage_not_net_metered'
                then 'negative usage_value on a point without an export register'
            when 'off_cycle_period'
                then case
                        when breaking_rows.duration < breaking_rows.billing_cycle_min_days
                            then {{ dbt.concat([
                                "'shorter than '",
                                "cast(breaking_rows.billing_cycle_min_days as "
                                ~ dbt.type_string() ~ ")",
                                "' days'",
                            ]) }}
                        else {{ dbt.concat([
                                "'longer than '",
                                "cast(breaking_rows.billing_cycle_max_days as "
                                ~ dbt.type_string() ~ ")",
                                "' days'",
                            ]) }}
                    end
            when 'dual_fuel_unlinked'
                then 'the other fuel at this premise is billed to another customer'
            when 'rate_code_missing'
                then 'no tariff of the account at this service point in force on date_to'
            when 'rate_code_not_allowed'
                then {{ dbt.concat([
                        "'rate code '",
                        "breaking_rows.rate_code",
                        "' is not in opower_rate_code_allowlist'",
                    ]) }}
        end as rule_detail
    from breaking_rows
    cross join rules
),

broken_rules as (
    select
        rule_name,
        usage_interval_id,
        rule_detail
    from checked
    where is_broken
),

final as (
    select
        broken_rules.rule_name,
        broken_rules.rule_detail,
        breaking_rows.service_point_id,
        breaking_rows.usage_interval_id,
        breaking_rows.bill_period_id,
        breaking_rows.account_id,
        breaking_rows.customer_id,
        breaking_rows.premise_id,
        breaking_rows.fuel,
        breaking_rows.date_from,
        breaking_rows.date_to,
        breaking_rows.duration,
        breaking_rows.usage_value,
        breaking_rows.ineligible_until_date
    from broken_rules
    inner join breaking_rows
        on broken_rules.usage_interval_id = breaking_rows.usage_interval_id
)

select * from final
