{#-
    Config of a periodic fact refreshed by whole days or months (a dict for `config(**...)`).
    DuckDB: delete+insert keyed on the period column, so every period the incremental run selects
    is deleted and rebuilt whole (a (period x dimensions) row that no longer exists disappears).
    BigQuery: partitioned by that period, clustered on the keys the marts filter by, and
    insert_overwrite of the partitions the run selects (dbt-bigquery finds them in the run's
    temporary table: its dynamic insert_overwrite).
-#}
{% macro incremental_by_period(period_column, granularity='day', cluster_by=[]) %}
    {%- if target.type == 'bigquery' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'on_schema_change': 'append_new_columns',
            'partition_by': {
                'field': period_column, 'data_type': 'date', 'granularity': granularity
            },
            'cluster_by': cluster_by,
        }) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': period_column,
        }) }}
    {%- endif -%}
{% endmacro %}

{#-
    Config of a fact with one row per key refreshed row by row (a dict for `config(**...)`):
    the incremental run selects every key with a change in the lookback window and replaces those
    rows. DuckDB: delete+insert on the key. BigQuery: merge on the key, partitioned by month of a
    date column and clustered on the keys the marts filter by.
-#}
{% macro incremental_by_key(unique_key, partition_column, cluster_by=[]) %}
    {%- if target.type == 'bigquery' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'merge',
            'unique_key': unique_key,
            'partition_by': {
                'field': partition_column, 'data_type': 'date', 'granularity': 'month'
            },
            'cluster_by': cluster_by,
        }) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': unique_key,
        }) }}
    {%- endif -%}
{% endmacro %}

{#-
    Predicate: the row was loaded (or its current SCD2 version started) on the relation's latest
    load day or in the `lookback_days` days before it. The window is anchored on the data's
    latest load, never on the wall clock, so the same data always selects the same rows.
    `loaded_column` may be qualified (`alias.column`); the latest load is read unqualified.
-#}
{% macro loaded_within_lookback(loaded_column, relation) %}
    {%- set bare_column = loaded_column.split('.')[-1] -%}
    {{ to_date(loaded_column) }} >= {{ add_days(
        '(select ' ~ to_date('max(' ~ bare_column ~ ')') ~ ' from ' ~ relation ~ ')',
        -1 * var('lookback_days', 7)
    ) }}
{%- endmacro %}
