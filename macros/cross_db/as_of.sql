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

{#- A string that sorts as its value does, to pick a row by the largest of several keys with one
    max(): a date as 'YYYY-MM-DD', a non-negative integer id left-padded to 20 digits. -#}
{% macro date_sort_key(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro id_sort_key(expression) -%}
    lpad(cast({{ expression }} as {{ dbt.type_string() }}), 20, '0')
{%- endmacro %}

{#- A count carried forward (NULL before the first event) as a BIGINT, 0 when there is none. -#}
{% macro count_or_zero(expression) -%}
    cast(coalesce({{ expression }}, 0) as {{ dbt.type_bigint() }})
{%- endmacro %}
