{#-
    The raw-data switch (DuckDB only). With --vars '{raw_path: /some/folder}', every source table
    becomes a view over the file `<raw_path>/<dataset>.<table>.parquet` (or `.csv`) in the schema of
    its dataset, so the whole project builds from that folder instead of the seeds. CSV files are
    read with the column types the source declares (data_type), so both formats type the same.
    A missing file stops the run with its name.
-#}
{% macro attach_raw_files() %}
    {%- set raw_path = var('raw_path', '') -%}
    {%- if execute and raw_path and target.type == 'duckdb' -%}
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
            {%- do run_query("create schema if not exists " ~ src.schema) -%}
            {%- do run_query("create or replace view " ~ src.schema ~ "." ~ src.identifier
                ~ " as select * from " ~ reader) -%}
        {%- endfor -%}
        {%- do log("raw_path: " ~ raw_path ~ ": sources attached as views", info=true) -%}
    {%- endif -%}
    select 1 as attached
{% endmacro %}
