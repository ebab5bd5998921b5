{#- The calendar day of a timestamp (UTC). All date arithmetic downstream is on dates. -#}
{% macro to_date(expression) -%}
    {{ return(adapter.dispatch('to_date', 'energy_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__to_date(expression) -%}
    cast({{ expression }} as date)
{%- endmacro %}

{#- A date plus a number of days, as a DATE on every engine (dbt.dateadd returns a timestamp). -#}
{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'energy_warehouse')(date_expression, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expression, days) -%}
    cast({{ date_expression }} + cast({{ days }} as integer) as date)
{%- endmacro %}

{% macro bigquery__add_days(date_expression, days) -%}
    date_add({{ date_expression }}, interval cast({{ days }} as int64) day)
{%- endmacro %}

{#- The first day of the month of a date or timestamp, as a DATE. -#}
{% macro month_start(expression) -%}
    cast({{ dbt.date_trunc('month', expression) }} as date)
{%- endmacro %}

{#- The number of days from one date to another (later minus earlier). -#}
{% macro days_between(earlier, later) -%}
    {{ dbt.datediff(earlier, later, 'day') }}
{%- endmacro %}
