{#- A success rate in percent, rounded to 2 decimals as the operations report shows it (000):
    successes * 100 / attempts; NULL when there are no attempts. -#}
{% macro operations_success_rate(successes, attempts) -%}
    round({{ successes }} * 100.0 / nullif({{ attempts }}, 0), 2)
{%- endmacro %}

{#- An average recomputed from a total and a count: total / count, NULL when the count is 0. -#}
{% macro operations_average(total, count) -%}
    round({{ total }} * 1.0 / nullif({{ count }}, 0), 2)
{%- endmacro %}

{#- The payment status of a bill from what was paid against it:
    'paid' when the payments cover the gross amount (to the penny), 'part_paid' when something
    but not all was paid, else 'unpaid'. A bill of zero or less (a credit) counts as paid. -#}
{% macro operations_payment_status(paid_amount, gross_amount) -%}
    case
        when {{ paid_amount }} >= {{ gross_amount }} - 0.005 then 'paid'
        when {{ paid_amount }} > 0 then 'part_paid'
        else 'unpaid'
    end
{%- endmacro %}
