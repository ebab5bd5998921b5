{#- The grain of a model: no two rows share the combination of these columns. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as rows_at_this_grain
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Every row satisfies a SQL boolean expression (an identity, a bound, a consistency rule).
    NULL is not a pass: a row where the expression is NULL (cannot be evaluated) fails, unless
    one of the columns named in `null_allowed_in` is NULL on that row (the rule does not apply). -#}
{% test expression_is_true(model, expression, column_name=none, null_allowed_in=[]) %}
select * from {{ model }}
where
    coalesce(({{ expression }}), false) = false
    {%- if null_allowed_in %}
    and not (
        ({{ expression }}) is null
        and ({% for col in null_allowed_in %}{{ col }} is null{% if not loop.last %} or {% endif %}{% endfor %})
    )
    {%- endif %}
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

{#- Consecutive periods of one partition meet: each period starts at the instant the previous one
    ended (exclusive ends), compared as timestamps, so a gap or overlap of an hour is seen (a
    boundary moved to 01:00 around a clock change moves both sides and still meets). NULL is not
    a pass: a period with a NULL start or end cannot be placed and is returned (gap_days NULL).
    Returns each gap (positive) or overlap (negative), in days and in seconds. -#}
{% test contiguous_periods(model, partition_by, period_id, start_column, end_column) %}
with periods as (
    select
        {{ partition_by }} as partition_key,
        {{ period_id }} as period_id,
        {{ start_column }} as start_at,
        {{ end_column }} as end_at,
        lag({{ end_column }}) over (
            partition by {{ partition_by }}
            order by {{ start_column }}, {{ period_id }}
        ) as previous_end_at,
        row_number() over (
            partition by {{ partition_by }}
            order by {{ start_column }}, {{ period_id }}
        ) as period_number
    from {{ model }}
)

select
    partition_key,
    period_id,
    previous_end_at,
    start_at,
    end_at,
    {{ days_between(to_date('previous_end_at'), to_date('start_at')) }} as gap_days,
    {{ dbt.datediff('previous_end_at', 'start_at', 'second') }} as gap_seconds
from periods
where
    start_at is null
    or end_at is null
    or (period_number > 1 and previous_end_at is null)
    or (period_number > 1 and start_at <> previous_end_at)
{% endtest %}
