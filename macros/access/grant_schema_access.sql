{#- Grant an IAM role on a whole dataset (BigQuery DCL: GRANT ... ON SCHEMA). Used for the
    restricted dataset, whose readers are a separate, small group. No-op on other engines and
    when no principal is given. -#}
{% macro grant_schema_access(schema, role, principals) -%}
    {{ return(adapter.dispatch('grant_schema_access', 'energy_warehouse')(schema, role, principals)) }}
{%- endmacro %}

{% macro default__grant_schema_access(schema, role, principals) -%}
    {{ return('') }}
{%- endmacro %}

{% macro bigquery__grant_schema_access(schema, role, principals) -%}
    {%- if principals | length > 0 -%}
        grant `{{ role }}` on schema `{{ target.project }}`.`{{ schema }}`
        to {% for principal in principals -%}
            "{{ principal }}"{{ ", " if not loop.last }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}


{#- on-run-end hook: the restricted dataset (PII staging and the restricted lookups) is readable
    by the principals of var('pii_reader_principals') only; the marts are granted per table by the
    `grants` config (var('bi_reader_principals')). -#}
{% macro grant_restricted_access() -%}
    {%- if target.type == 'bigquery' -%}
        {{ grant_schema_access(
            generate_schema_name('restricted', {'tags': []}) | trim,
            var('pii_reader_role', 'roles/bigquery.dataViewer'),
            var('pii_reader_principals', [])
        ) }}
    {%- endif -%}
{%- endmacro %}
