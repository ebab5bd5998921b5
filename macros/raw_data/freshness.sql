{#-
    `dbt source freshness` on DuckDB: the latest load of a source against "now". "Now" is the
    variable `freshness_at` (a timestamp) when set, else `raw_loaded_before` when a raw data set is
    replayed (the replayed moment is the run's now), else the clock. The refresh's freshness gate
    (make refresh, docs/incremental.md "The scheduled refresh") can so be exercised on the seeds and
    on a replay; BigQuery keeps dbt's own macro (the clock).
-#}
{% macro duckdb__collect_freshness(source, loaded_at_field, filter) %}
    {%- set now = var('freshness_at', none) or var('raw_loaded_before', none) -%}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ loaded_at_field }}) as max_loaded_at,
            {% if now -%}
                cast('{{ now }}' as timestamp)
            {%- else -%}
                {{ current_timestamp() }}
            {%- endif %} as snapshotted_at
        from {{ source }}
        {% if filter -%}
            where {{ filter }}
        {%- endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}
