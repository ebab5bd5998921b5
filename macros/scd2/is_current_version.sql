{#- The open end of an SCD2 validity window: exactly TIMESTAMP('9999-01-01'). -#}
{% macro scd2_open_end() -%}
    cast('9999-01-01 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Predicate keeping the current version of an SCD2 row. -#}
{% macro is_current_version(column='meta_effective_to_timestamp') -%}
    {{ column }} = {{ scd2_open_end() }}
{%- endmacro %}
