{#-
    The built relation has exactly the columns its yml declares, each with the declared
    data_type: the check an enforced contract makes, for a model dbt cannot put under contract (a
    Python model). The declared types are resolved by the engine itself, as the contract does
    (`cast(null as <data_type>)`), so `bigint` matches BIGINT on DuckDB and INT64 on BigQuery.
    Fails with one row per missing, extra or retyped column.
-#}
{% test columns_match_yml(model) %}
    {%- set problems = [] -%}
    {%- if execute -%}
        {%- set node = graph.nodes.values()
            | selectattr('resource_type', 'equalto', 'model')
            | selectattr('schema', 'equalto', model.schema)
            | selectattr('alias', 'equalto', model.identifier)
            | first -%}
        {%- set declared = node.columns -%}
        {%- set untyped = declared.values() | rejectattr('data_type') | map(attribute='name')
            | list -%}
        {%- if untyped -%}
            {{ exceptions.raise_compiler_error(
                "columns_match_yml on " ~ node.name ~ ": no data_type for " ~ untyped | join(', ')) }}
        {%- endif -%}
        {%- set expected = {} -%}
        {%- for column in format_columns(get_column_schema_from_query(
                get_empty_schema_sql(declared))) -%}
            {%- do expected.update({column.name | lower: column.data_type | lower}) -%}
        {%- endfor -%}
        {%- set built = {} -%}
        {%- for column in format_columns(adapter.get_columns_in_relation(model)) -%}
            {%- do built.update({column.name | lower: column.data_type | lower}) -%}
        {%- endfor -%}
        {%- for name, data_type in expected.items() -%}
            {%- if name not in built -%}
                {%- do problems.append((name, data_type, 'missing')) -%}
            {%- elif built[name] != data_type -%}
                {%- do problems.append((name, data_type, built[name])) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for name, data_type in built.items() if name not in expected -%}
            {%- do problems.append((name, 'not declared', data_type)) -%}
        {%- endfor -%}
    {%- endif %}
select
    column_name,
    declared_type,
    built_type
from (
    select
        0 as is_problem,
        '' as column_name,
        '' as declared_type,
        '' as built_type
    {%- for name, declared_type, built_type in problems %}
        union all
        select
            1 as is_problem,
            '{{ name }}' as column_name,
            '{{ declared_type }}' as declared_type,
            '{{ built_type }}' as built_type
    {%- endfor %}
) as checked
where is_problem = 1
{% endtest %}
