{#- A deterministic key from several columns: md5 of their text joined by '|', NULL-safe.
    Key parts are ids, strings, dates or timestamps (not decimals, whose text differs by engine:
    1.5 against 1.500). -#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ key_part_text(column) ~ ", '<null>')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#- The text of one key part, the same on every engine. -#}
{% macro key_part_text(expression) -%}
    {{ return(adapter.dispatch('key_part_text', 'energy_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__key_part_text(expression) -%}
    {{ dbt.cast(expression, dbt.type_string()) }}
{%- endmacro %}

{#- BigQuery writes a TIMESTAMP as text with a '+00' zone suffix that DuckDB does not: drop it. -#}
{% macro bigquery__key_part_text(expression) -%}
    regexp_replace({{ dbt.cast(expression, dbt.type_string()) }}, r'\+00$', '')
{%- endmacro %}
