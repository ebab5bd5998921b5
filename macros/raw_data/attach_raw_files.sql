{#-
    The raw-data switch (DuckDB only). With --vars '{raw_path: /some/folder}', every source table
    becomes a view over the file `<raw_path>/<dataset>.<table>.parquet` (or `.csv`) in the schema of
    its dataset, so the whole project builds from that folder instead of the seeds. CSV files are
    read with the column types the source declares (data_type), so both formats type the same.
    A missing file stops the run with its name.

    With raw_loaded_before (a timestamp) as well, each view shows the source as it stood at that
    moment: rows loaded later (the source's loaded_at_field) are hidden, and SCD2 versions that
    were still current then are open again. Replaying a data set day by day this way is how the
    incremental refresh and the benchmark's daily run are tested.
-#}
{% macro attach_raw_files() %}
    {%- set raw_path = var('raw_path', '') -%}
    {%- if execute and raw_path and target.type == 'duckdb' -%}
        {%- set cutoff = var('raw_loaded_before', '') -%}
        {%- set found = run_query("select file from glob('" ~ raw_path ~ "/*')").columns[0].values() -%}
        {%- for src in graph.sources.values() if src.package_name == project_name -%}
            {%- set stem = raw_path ~ '/' ~ src.schema ~ '.' ~ src.identifier -%}
            {%- if (stem ~ '.parquet') in found -%}
                {%- set reader = "read_parquet('" ~ stem ~ ".parquet')" -%}
            {%- elif (stem ~ '.csv') in found -%}
                {%- set types = [] -%}
                {%- for col in src.columns.values() -%}
                    {%- do types.append("'" ~ col.name ~ "': '" ~ col.data_type ~ "'") -%}
                {%- endfor -%}
                {%- set reader = "read_csv('" ~ stem ~ ".csv', header = true, columns = {"
                    ~ types | join(', ') ~ "})" -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error(
                    "raw_path: no file " ~ stem ~ ".parquet or .csv for source "
                    ~ src.source_name ~ "." ~ src.name) }}
            {%- endif -%}
            {%- set relation = "select * from " ~ reader -%}
            {%- if cutoff -%}
                {%- set relation = raw_as_loaded_before(src, reader, cutoff) -%}
            {%- endif -%}
            {%- do run_query("create schema if not exists " ~ src.schema) -%}
            {%- do run_query("create or replace view " ~ src.schema ~ "." ~ src.identifier
                ~ " as " ~ relation) -%}
        {%- endfor -%}
        {%- do log("raw_path: " ~ raw_path ~ ": sources attached as views"
            ~ (" as loaded before " ~ cutoff if cutoff else ""), info=true) -%}
    {%- endif -%}
    select 1 as attached
{% endmacro %}

{#- A source as it stood at `cutoff`: SCD2 versions started before it (re-opened when they were
    still current then), other tables' rows loaded before it. Tables without a load time are
    reference data and shown whole. -#}
{% macro raw_as_loaded_before(src, reader, cutoff) %}
    {%- set at = "timestamp '" ~ cutoff ~ "'" -%}
    {%- if 'meta_effective_to_timestamp' in src.columns -%}
        select * replace (
            case when meta_effective_to_timestamp > {{ at }} then {{ scd2_open_end() }}
                else meta_effective_to_timestamp end as meta_effective_to_timestamp
        )
        from {{ reader }}
        where meta_effective_from_timestamp < {{ at }}
    {%- elif src.loaded_at_field -%}
        select * from {{ reader }} where {{ src.loaded_at_field }} < {{ at }}
    {%- else -%}
        select * from {{ reader }}
    {%- endif -%}
{% endmacro %}
