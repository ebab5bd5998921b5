{#-
    The previous rows of a partition as columns: `lag(column, n)` for every column and every n
    from 1 to max_offset, named `<column>_<n>` (a comma-separated list of select items). With
    trailing_rows_total / trailing_rows_greatest, a trailing window of a few rows is one sorted
    window per partition instead of a self-join of every row with every earlier row.
-#}
{% macro trailing_rows_lagged(columns, max_offset, partition_by, order_by) -%}
    {%- set items = [] -%}
    {%- for n in range(1, max_offset + 1) -%}
        {%- for column in columns -%}
            {%- do items.append(
                'lag(' ~ column ~ ', ' ~ n ~ ') over (partition by ' ~ partition_by
                ~ ' order by ' ~ order_by ~ ') as ' ~ column ~ '_' ~ n
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ items | join(',\n        ') }}
{%- endmacro %}

{#-
    The terms of a trailing window over the row itself and its max_offset previous rows (the
    columns of trailing_rows_lagged), one `case` per row: `value` when the earlier row's month is
    at most `months_back` months before this row's and `condition` holds, else 0. In `value` and
    `condition`, `{n}` stands for the row's suffix ('' for this row, '_1' for the previous one...).
    The rows of a partition must be unique on month_column (the months within `months_back` are
    then the last rows up to this one, at most months_back + 1 of them).
-#}
{% macro trailing_rows_terms(value, condition, max_offset, month_column, months_back) -%}
    {%- set terms = [] -%}
    {%- for n in range(max_offset + 1) -%}
        {%- set suffix = '' if n == 0 else '_' ~ n -%}
        {%- set in_window = '' if n == 0 else
            month_column ~ suffix ~ ' >= cast('
            ~ dbt.dateadd('month', -1 * months_back, month_column) ~ ' as date) and ' -%}
        {%- do terms.append(
            'case when ' ~ in_window ~ '(' ~ condition.replace('{n}', suffix) ~ ') then '
            ~ value.replace('{n}', suffix) ~ ' else 0 end'
        ) -%}
    {%- endfor -%}
    {{ return(terms) }}
{%- endmacro %}

{#- The sum of `value` over the trailing rows where `condition` holds (0 when none does). -#}
{% macro trailing_rows_total(value, condition, max_offset, month_column, months_back) -%}
    ({{ trailing_rows_terms(value, condition, max_offset, month_column, months_back)
        | join('\n        + ') }})
{%- endmacro %}

{#-
    The largest `value` over the trailing rows where `condition` holds, 0 when none does (the
    values must never be NULL: BigQuery's greatest is NULL when an argument is).
-#}
{% macro trailing_rows_greatest(value, condition, max_offset, month_column, months_back) -%}
    greatest(
        {{ trailing_rows_terms(value, condition, max_offset, month_column, months_back)
            | join(',\n        ') }}
    )
{%- endmacro %}
