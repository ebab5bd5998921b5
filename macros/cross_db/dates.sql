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

{#- A DATE constant from a 'YYYY-MM-DD' string. -#}
{% macro date_literal(day) -%}
    {{ return(adapter.dispatch('date_literal', 'energy_warehouse')(day)) }}
{%- endmacro %}

{% macro default__date_literal(day) -%}
    date '{{ day }}'
{%- endmacro %}

{% macro bigquery__date_literal(day) -%}
    date '{{ day }}'
{%- endmacro %}

{#- The first instant (UTC) of a 'YYYY-MM-DD' day, as a TIMESTAMP constant. -#}
{% macro timestamp_literal(day) -%}
    {{ return(adapter.dispatch('timestamp_literal', 'energy_warehouse')(day)) }}
{%- endmacro %}

{% macro default__timestamp_literal(day) -%}
    timestamp '{{ day }} 00:00:00'
{%- endmacro %}

{% macro bigquery__timestamp_literal(day) -%}
    timestamp '{{ day }} 00:00:00+00'
{%- endmacro %}
