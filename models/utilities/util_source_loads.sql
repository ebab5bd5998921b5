-- one row per source table with a load time: the latest moment a row of it was loaded
{#
    The load-time column of each table is the one its source freshness reads (`loaded_at_field`
    in models/staging/*/_*__sources.yml); tests/python/test_source_loads.py keeps this list and
    the sources in step. Tables without a load time (reference lists) are not listed.
#}
{% set load_time_columns = [
    ('customer_feedback', 'complaint', 'received_at'),
    ('customer_feedback', 'survey_response', 'responded_at'),
    ('field_ops', 'install_job', 'arrived_dttm'),
    ('field_ops', 'maintenance_request', 'request_dttm'),
    ('junifer_enriched', 'account', 'meta_effective_from_timestamp'),
    ('junifer_enriched', 'account_meter_point', 'meta_effective_from_timestamp'),
    ('junifer_enriched', 'account_tariff', 'meta_effective_from_timestamp'),
    ('junifer_enriched', 'bill', 'meta_effective_from_timestamp'),
    ('junifer_enriched', 'bill_line', 'meta_effective_from_timestamp'),
    ('junifer_enriched', 'bill_period', 'meta_effective_from_timestamp'),
    ('junifer_enriched', 'meter_point', 'meta_effective_from_timestamp'),
    ('junifer_enriched', 'payment', 'meta_effective_from_timestamp'),
    ('junifer_enriched', 'property', 'meta_effective_from_timestamp'),
    ('nova_be_assets_enriched', 'meter', 'meta_effective_from_timestamp'),
    ('nova_be_assets_enriched', 'meter_fault', 'meta_effective_from_timestamp'),
    ('nova_be_assets_enriched', 'meter_reading', 'meta_effective_from_timestamp'),
    ('nova_be_customers_enriched', 'billing_account', 'meta_effective_from_timestamp'),
    ('nova_be_customers_enriched', 'customer', 'meta_effective_from_timestamp'),
    ('nova_be_customers_enriched', 'smart_meter_bookings', 'meta_effective_from_timestamp'),
    ('pulse', 'account', 'meta_effective_from_timestamp'),
    ('pulse', 'account_event', 'event_at'),
    ('pulse', 'contract', 'meta_effective_from_timestamp'),
    ('pulse', 'notification', 'sent_at'),
    ('pulse', 'payment', 'paid_at'),
    ('pulse', 'sale_order', 'ordered_at'),
    ('soe_junifer_model', 'digital_journey_performance', 'meta_loaded_at'),
    ('soe_junifer_model', 'w_actual_meterreads', 'meta_loaded_at'),
    ('soe_operations_report', 'bill_delivery', 'meta_report_period_end_date'),
] %}

with

loads as (
    {%- for dataset, table, column in load_time_columns %}
        select
            '{{ dataset }}' as source_dataset,
            '{{ table }}' as source_table,
            '{{ column }}' as load_time_column,
            count(*) as source_rows,
            max(cast({{ column }} as {{ dbt.type_timestamp() }})) as latest_loaded_at
        from {{ source(dataset, table) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        source_dataset,
        source_table,
        load_time_column,
        source_rows,
        latest_loaded_at
    from loads
)

select * from final
