{#-
    Config of a periodic fact refreshed by whole days or months (a dict for `config(**...)`).
    DuckDB: delete+insert keyed on the period column, so every period the incremental run selects
    is deleted and rebuilt whole (a (period x dimensions) row that no longer exists disappears).
    BigQuery: partitioned by that period, clustered on the keys the marts filter by, and
    insert_overwrite of the partitions the run selects (dbt-bigquery finds them in the run's
    temporary table: its dynamic insert_overwrite).
    Both engines: `on_schema_change: append_new_columns`, which an enforced contract requires (a
    column added to the contract is added to the table; `--full-refresh` fills it for old rows).
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
            'on_schema_change': 'append_new_columns',
            'unique_key': period_column,
        }) }}
    {%- endif -%}
{% endmacro %}

{#-
    Config of a fact with one row per key refreshed row by row (a dict for `config(**...)`):
    the incremental run selects every key with a change in the lookback window and replaces those
    rows. DuckDB: delete+insert on the key. BigQuery: merge on the key, partitioned by month of a
    date column (when one is given) and clustered on the keys the marts filter by.
-#}
{% macro incremental_by_key(unique_key, partition_column=none, cluster_by=[]) %}
    {%- if target.type == 'bigquery' -%}
        {%- set config = {
            'materialized': 'incremental',
            'incremental_strategy': 'merge',
            'on_schema_change': 'append_new_columns',
            'unique_key': unique_key,
            'cluster_by': cluster_by,
        } -%}
        {%- if partition_column -%}
            {%- do config.update({'partition_by': {
                'field': partition_column, 'data_type': 'date', 'granularity': 'month'
            }}) -%}
        {%- endif -%}
        {{ return(config) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'on_schema_change': 'append_new_columns',
            'unique_key': unique_key,
        }) }}
    {%- endif -%}
{% endmacro %}

{#-
    Predicate: the row was loaded (or its current SCD2 version started) on the data's latest load
    day or in the `lookback_days` days before it. The window is anchored on the latest load of the
    whole data set (util_as_of_date.latest_load_date), never on the wall clock, so the same data
    always selects the same rows; a table that has not been loaded for a while has nothing in it.
    When the model runs, the window's first day is a literal (`column >= timestamp '...'`, the bare
    column against a constant), so that BigQuery prunes a raw table partitioned on its load time;
    `to_date(column) >= day` and `column >= timestamp 'day 00:00:00'` select the same rows.
-#}
{% macro loaded_within_lookback(loaded_column) %}
    {%- set window_start_day = lookback_start_day() -%}
    {%- if window_start_day -%}
        {{ loaded_column }} >= {{ timestamp_literal(window_start_day) }}
    {%- else -%}
        {{ to_date(loaded_column) }} >= {{ lookback_start() }}
    {%- endif -%}
{%- endmacro %}

{#- The first day of the lookback window (a DATE): the data's latest load day - lookback_days. -#}
{% macro lookback_start() %}
    {%- set window_start_day = lookback_start_day() -%}
    {%- if window_start_day -%}
        {{- date_literal(window_start_day) -}}
    {%- else -%}
        {{- add_days(
            '(select latest_load_date from ' ~ ref('util_as_of_date') ~ ')',
            -1 * var('lookback_days', 7)
        ) -}}
    {%- endif -%}
{%- endmacro %}

{#-
    The first day of the lookback window as a 'YYYY-MM-DD' string, or none where it cannot be a
    constant: the latest load day (refresh_window_latest_load_day) minus lookback_days.
-#}
{% macro lookback_start_day() %}
    {%- set latest_load_day = refresh_window_latest_load_day() -%}
    {%- if not latest_load_day -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start_day = modules.datetime.date.fromisoformat(latest_load_day[:10])
        - modules.datetime.timedelta(days=var('lookback_days', 7) | int) -%}
    {{ return(start_day.isoformat()) }}
{%- endmacro %}

{#-
    The data's latest load day ('YYYY-MM-DD') as util_as_of_date holds it, read once per dbt
    invocation. util_as_of_date is a table built once per run before every model that reads the
    window (each one depends on it), so every model of a run gets the same day: the first one to
    need it runs one query and keeps the answer in dbt's graph (one dict shared by every node of
    the invocation), the later ones read it from there (models starting together on other threads
    may query it too: the same row). None (the caller falls back on the scalar
    subquery on util_as_of_date, which selects the same rows) while dbt parses, in a unit test
    (util_as_of_date is a fixture there), when util_as_of_date has not been built yet (sqlfluff's
    empty DuckDB file) or holds no load day.
-#}
{% macro refresh_window_latest_load_day() %}
    {%- set as_of_relation = ref('util_as_of_date') -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set cache_key = 'energy_warehouse__refresh_window_latest_load_day' -%}
    {%- if graph.get(cache_key) -%}
        {{ return(graph[cache_key]) }}
    {%- endif -%}
    {%- if load_relation(as_of_relation) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(
        'select cast(latest_load_date as ' ~ dbt.type_string() ~ ') as latest_load_day from '
        ~ as_of_relation
    ) -%}
    {%- set days = result.columns[0].values() | reject('none') | list -%}
    {%- if days | length != 1 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- do graph.update({cache_key: days[0]}) -%}
    {{ return(days[0]) }}
{%- endmacro %}

{#-
    The bill periods whose period row, one of its bills or one of its bills' lines changed in the
    lookback window (a subquery of bill_period_id): what int_bill_periods_billed rebuilds, and
    where the incremental Opower feed finds its changed service points.
-#}
{% macro bill_periods_changed_in_lookback() %}
    select bill_period_id from {{ ref('stg_junifer__bill_periods') }}
    where {{ loaded_within_lookback('valid_from_at') }}
    union distinct
    select bill_period_id from {{ ref('stg_junifer__bills') }}
    where {{ loaded_within_lookback('valid_from_at') }}
    union distinct
    select changed_bills.bill_period_id
    from {{ ref('stg_junifer__bills') }} as changed_bills
    inner join {{ ref('stg_junifer__bill_lines') }} as changed_lines
        on changed_bills.bill_id = changed_lines.bill_id
    where {{ loaded_within_lookback('changed_lines.valid_from_at') }}
{%- endmacro %}
