{#- A success rate in percent, rounded to 2 decimals as the operations report shows it (000):
    successes * 100 / attempts; NULL when there are no attempts. -#}
{% macro operations_success_rate(successes, attempts) -%}
    round({{ successes }} * 100.0 / nullif({{ attempts }}, 0), 2)
{%- endmacro %}

{#- An average recomputed from a total and a count: total / count, NULL when the count is 0. -#}
{% macro operations_average(total, count) -%}
    round({{ total }} * 1.0 / nullif({{ count }}, 0), 2)
{%- endmacro %}
