{#-
    Where each node is built.
    - Raw seeds (tag `raw`) load into a schema named exactly like their BigQuery dataset, so the
      sources read the same names locally and in production.
    - On DuckDB every other node goes to its folder's schema as is (staging, marts, ...).
    - On BigQuery the folder's schema is prefixed with the target dataset (analytics_marts, ...),
      so several environments can share one project.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif 'raw' in node.tags or target.type != 'bigquery' -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
