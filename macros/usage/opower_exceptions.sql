{#-
    The Opower rules as fct_opower_feed_exceptions lists them: (rule_name, the feed's flag
    column), in the order of docs/opower_feed.md.
-#}
{% macro opower_rule_flags() %}
    {{ return([
        ('gap_or_overlap', 'is_gap_or_overlap'),
        ('service_point_on_two_accounts', 'is_on_two_accounts'),
        ('active_date_changed', 'is_active_date_changed'),
        ('inactive_date_not_after_active_date', 'is_inactive_not_after_active'),
        ('usage_outside_active_window', 'is_outside_active_window'),
        ('customer_over_two_premises', 'is_customer_over_two_premises'),
        ('service_point_premise_changed', 'is_premise_changed'),
        ('service_point_is_meter_serial', 'is_service_point_meter_serial'),
        ('negative_usage_not_net_metered', 'is_negative_usage_not_net_metered'),
        ('off_cycle_period', 'is_off_cycle'),
        ('dual_fuel_unlinked', 'is_dual_fuel_unlinked'),
        ('rate_code_missing', 'is_rate_code_missing'),
        ('rate_code_not_allowed', 'is_rate_code_not_allowed'),
    ]) }}
{%- endmacro %}

{#-
    CTEs (to follow a `with`) ending in `exceptions_rebuilt_points` (service_point_id): the
    service points whose exceptions an incremental run of fct_opower_feed_exceptions rebuilds,
    found by key. The changed points (the view int_service_points_refresh_scoped, and those
    listed as a meter serial), then every point sharing a premise or a customer with a changed
    point's row in the feed as it is now, or in the exceptions as last built. The feed rebuilt
    these and also the neighbours of the changed points' rows as last built that broke no rule;
    those cannot have changed their exceptions: a neighbour's flag moves with another point's row
    only when that row breaks the same rule (an unlinked dual fuel pair, a customer over two
    premises), so a flag lost through a point that moved away is found from that point's
    exception row. CTEs, so that each step (the view first) is computed once per statement.
-#}
{% macro opower_exceptions_rebuilt_points_ctes(feed, exceptions) %}
    exceptions_changed_points as (
        select scoped.service_point_id
        from {{ ref('int_service_points_refresh_scoped') }} as scoped
        union distinct
        select serial_exceptions.service_point_id
        from {{ exceptions }} as serial_exceptions
        where serial_exceptions.rule_name = 'service_point_is_meter_serial'
    ),

    exceptions_changed_neighbourhoods as (
        select
            changed_feed.premise_id,
            changed_feed.customer_id
        from {{ feed }} as changed_feed
        inner join exceptions_changed_points
            on changed_feed.service_point_id = exceptions_changed_points.service_point_id
        union distinct
        select
            changed_exceptions.premise_id,
            changed_exceptions.customer_id
        from {{ exceptions }} as changed_exceptions
        inner join exceptions_changed_points
            on changed_exceptions.service_point_id = exceptions_changed_points.service_point_id
    ),

    exceptions_rebuilt_points as (
        select service_point_id from exceptions_changed_points
        union distinct
        select premise_neighbours.service_point_id
        from {{ feed }} as premise_neighbours
        inner join (
            select distinct premise_id from exceptions_changed_neighbourhoods
        ) as changed_premises
            on premise_neighbours.premise_id = changed_premises.premise_id
        union distinct
        select customer_neighbours.service_point_id
        from {{ feed }} as customer_neighbours
        inner join (
            select distinct customer_id from exceptions_changed_neighbourhoods
        ) as changed_customers
            on customer_neighbours.customer_id = changed_customers.customer_id
    )
{%- endmacro %}

{#-
    fct_opower_feed_exceptions' post-hook in an incremental run (empty otherwise): the merge
    (delete+insert on DuckDB) has written the current breaks of the rebuilt points; this deletes
    their rows whose rule the feed row no longer breaks (or whose feed row is gone). One
    statement: the rebuilt points are computed once, and only their rows are read, by key.
-#}
{% macro opower_exceptions_delete_stale() %}
    {%- if not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set feed = ref('fct_opower_usage_feed') -%}
    {%- set row_key = dbt.concat(['rule_name', "'|'", 'usage_interval_id']) -%}
    delete from {{ this }}
    where {{ row_key }} in (
        with

        {{ opower_exceptions_rebuilt_points_ctes(feed, this) }},

        current_breaks as (
            select {{ dbt.concat(['rules.rule_name', "'|'", 'breaking_rows.usage_interval_id']) }}
                as row_key
            from {{ feed }} as breaking_rows
            inner join exceptions_rebuilt_points
                on breaking_rows.service_point_id = exceptions_rebuilt_points.service_point_id
            cross join ({{ opower_rules_select() }}) as rules
            where
                breaking_rows.has_rule_break
                and {{ opower_rule_is_broken('rules.rule_name', 'breaking_rows') }}
        )

        select {{ dbt.concat(['listed.rule_name', "'|'", 'listed.usage_interval_id']) }}
        from {{ this }} as listed
        inner join exceptions_rebuilt_points
            on listed.service_point_id = exceptions_rebuilt_points.service_point_id
        where {{ dbt.concat(['listed.rule_name', "'|'", 'listed.usage_interval_id']) }} not in (
                select current_breaks.row_key from current_breaks
            )
    )
{%- endmacro %}

{#- The rules as rows (rule_name): a select of literals, one per rule. -#}
{% macro opower_rules_select() %}
    {%- for rule_name, flag in opower_rule_flags() %}
        select '{{ rule_name }}' as rule_name
        {{- ' union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Whether the feed row `row` breaks the rule named by `rule_name` (a case on the rule). -#}
{% macro opower_rule_is_broken(rule_name, row) %}
    case {{ rule_name }}
        {%- for name, flag in opower_rule_flags() %}
            when '{{ name }}' then {{ row }}.{{ flag }}
        {%- endfor %}
    end
{%- endmacro %}
