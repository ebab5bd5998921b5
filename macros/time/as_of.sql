{#- The day this build is "as of" (a DATE expression): the variable, else derived from the data. -#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('util_as_of_date') }})
{%- endmacro %}
