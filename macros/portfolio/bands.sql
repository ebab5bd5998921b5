{#- The bands and statuses of 002's slicing dimensions, one definition each. -#}

{#- Portfolio at Risk bucket of the consecutive days expired (NULL outside the Contracted
    Portfolio). -#}
{% macro par_bucket(days_expired) -%}
    case
        when {{ days_expired }} is null then null
        when {{ days_expired }} = 0 then 'Normal'
        when {{ days_expired }} <= 7 then '1-7'
        when {{ days_expired }} <= 30 then '8-30'
        when {{ days_expired }} <= 60 then '31-60'
        when {{ days_expired }} <= 90 then '61-90'
        when {{ days_expired }} <= 120 then '91-120'
        else 'Over 120'
    end
{%- endmacro %}

{#- ARPU range of the amount paid in the month. -#}
{% macro arpu_range(amount_paid_in_month) -%}
    case
        when {{ amount_paid_in_month }} <= 0 then 'No payment'
        when {{ amount_paid_in_month }} < 5 then 'Under 5'
        when {{ amount_paid_in_month }} < 10 then '5 to under 10'
        when {{ amount_paid_in_month }} < 20 then '10 to under 20'
        else '20 and over'
    end
{%- endmacro %}

{#- The enable event types: each one's one-digit code (the last digit of an account's enable sort
    key, int_account_facts_dated) and the Enable Status it gives. -#}
{% macro enable_event_types() -%}
    {{ return({
        'ENABLED': (1, 'Enabled'),
        'DISABLED': (2, 'Disabled'),
        'ENABLE_PENDING': (3, 'Pending'),
        'ENABLE_ERROR': (4, 'Error'),
    }) }}
{%- endmacro %}

{#- An enable event type's code (NULL for any other event type). -#}
{% macro enable_event_code(event_type) -%}
    case {{ event_type }}
        {%- for event_type_name, (code, status) in enable_event_types().items() %}
        when '{{ event_type_name }}' then {{ code }}
        {%- endfor %}
    end
{%- endmacro %}

{#- Enable Status from the latest enable event's code, for an account with an IoT product. -#}
{% macro enable_status(has_iot_product, latest_enable_event_code) -%}
    case
        when coalesce({{ has_iot_product }}, 0) = 0 then 'Not applicable'
        {%- for event_type_name, (code, status) in enable_event_types().items() %}
        when {{ latest_enable_event_code }} = {{ code }} then '{{ status }}'
        {%- endfor %}
        else 'Unknown'
    end
{%- endmacro %}
