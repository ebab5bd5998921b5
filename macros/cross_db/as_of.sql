{#- Month-end ("as-of") state in time linear in the events: the macros the portfolio's month-end
    models use to carry a state forward over an account's months in one ordered pass. -#}

{#- The window of everything up to and including the current row: a running total or maximum
    over a partition's rows in order (one row per order key, so rows and range frames agree). -#}
{% macro running_window(partition_by, order_by) -%}
    over (
        partition by {{ partition_by }}
        order by {{ order_by }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}

{#- A date as a whole number of days since 1970-01-01: an integer that sorts as the date does, so
    that a running max() picks the latest row over integers (cheap to sort and carry) rather
    than over text. -#}
{% macro day_number(expression) -%}
    {{ dbt.datediff("cast('1970-01-01' as date)", expression, 'day') }}
{%- endmacro %}

{#- A count carried forward (NULL before the first event) as a BIGINT, 0 when there is none. -#}
{% macro count_or_zero(expression) -%}
    cast(coalesce({{ expression }}, 0) as {{ dbt.type_bigint() }})
{%- endmacro %}
