{#-
    dbt.safe_cast renders a plain `cast` on DuckDB, which raises on bad input where BigQuery's
    `safe_cast` returns NULL. This DuckDB variant uses try_cast so both engines behave alike.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
