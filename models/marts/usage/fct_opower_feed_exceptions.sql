-- one row per broken Opower rule and feed row (service point and bill period) that breaks it
with

feed as (
    select * from {{ ref('fct_opower_usage_feed') }}
),

-- the feed rows breaking at least one rule: the feed is read once, not once per rule
breaking_rows as (
    select * from feed
    where has_rule_break
),

rules as (
    select 'gap_or_overlap' as rule_name
    union all
    select 'service_point_on_two_accounts' as rule_name
    union all
    select 'active_date_changed' as rule_name
    union all
    select 'inactive_date_not_after_active_date' as rule_name
    union all
    select 'usage_outside_active_window' as rule_name
    union all
    select 'customer_over_two_premises' as rule_name
    union all
    select 'service_point_premise_changed' as rule_name
    union all
    select 'service_point_is_meter_serial' as rule_name
    union all
    select 'negative_usage_not_net_metered' as rule_name
    union all
    select 'off_cycle_period' as rule_name
    union all
    select 'dual_fuel_unlinked' as rule_name
    union all
    select 'rate_code_missing' as rule_name
    union all
    select 'rate_code_not_allowed' as rule_name
),

-- every (row, rule) pair with whether the row breaks the rule, and how
checked as (
    select
        rules.rule_name,
        breaking_rows.usage_interval_id,
        case rules.rule_name
            when 'gap_or_overlap' then breaking_rows.is_gap_or_overlap
            when 'service_point_on_two_accounts' then breaking_rows.is_on_two_accounts
            when 'active_date_changed' then breaking_rows.is_active_date_changed
            when 'inactive_date_not_after_active_date'
                then breaking_rows.is_inactive_not_after_active
            when 'usage_outside_active_window' then breaking_rows.is_outside_active_window
            when 'customer_over_two_premises' then breaking_rows.is_customer_over_two_premises
            when 'service_point_premise_changed' then breaking_rows.is_premise_changed
            when 'service_point_is_meter_serial' then breaking_rows.is_service_point_meter_serial
            when 'negative_usage_not_net_metered'
                then breaking_rows.is_negative_usage_not_net_metered
            when 'off_cycle_period' then breaking_rows.is_off_cycle
            when 'dual_fuel_unlinked' then breaking_rows.is_dual_fuel_unlinked
            when 'rate_code_missing' then breaking_rows.is_rate_code_missing
            when 'rate_code_not_allowed' then breaking_rows.is_rate_code_not_allowed
        end as is_broken,
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
