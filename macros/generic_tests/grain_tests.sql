{#- The grain of a model: no two rows share the combination of these columns. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as rows_at_this_grain
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Every row satisfies a SQL boolean expression (an identity, a bound, a consistency rule). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select * from {{ model }}
where not ({{ expression }})
{% endtest %}

{#- A column lies within [min_value, max_value] (either bound optional; NULLs pass). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
select * from {{ model }}
where {{ column_name }} is not null
    and (
        1 = 0
        {%- if min_value is not none %}
            or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
            or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
        {%- endif %}
    )
{% endtest %}

{#- A table or source is not empty (an empty feed must be noticed, not silently built upon). -#}
{% test not_empty(model) %}
select 'no rows' as problem
from (select count(*) as n from {{ model }}) as counted
where n = 0
{% endtest %}

{#- Consecutive periods of one partition meet: each period starts on the day the previous one
    ended (exclusive ends), compared as dates so a timestamp at 01:00 around a clock change
    does not count. Returns each gap (positive days) or overlap (negative days). -#}
{% test contiguous_periods(model, partition_by, period_id, start_column, end_column) %}
with periods as (
    select
        {{ partition_by }} as partition_key,
        {{ period_id }} as period_id,
        {{ to_date(start_column) }} as start_date,
        lag({{ to_date(end_column) }}) over (
            partition by {{ partition_by }}
            order by {{ start_column }}, {{ period_id }}
        ) as previous_end_date
    from {{ model }}
)

select
    partition_key,
    period_id,
    previous_end_date,
    start_date,
    {{ days_between('previous_end_date', 'start_date') }} as gap_days
from periods
where previous_end_date is not null
    and start_date <> previous_end_date
{% endtest %}
