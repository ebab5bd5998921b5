{#-
    dbt.type_float() is FLOAT64 (double precision) on BigQuery but FLOAT, a 4-byte REAL, on DuckDB.
    This DuckDB variant (found through the project's dispatch search order) gives DOUBLE, so a
    value cast to dbt.type_float() is a double on both engines.
-#}
{% macro duckdb__type_float() -%}
    {{ return('double') }}
{%- endmacro %}
