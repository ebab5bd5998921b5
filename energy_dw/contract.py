"""The raw-table contract: every source table, its columns and their BigQuery types.

This module is the single machine-readable statement of ``SOURCES.md`` plus the
project's documented extensions (see ``docs/source_contract.md``). The generator
writes exactly these columns, the seed properties are generated from it, and a
test checks that the dbt sources declare the same columns.

The types are names that both BigQuery and DuckDB accept in ``CAST`` and DDL:
INT64, STRING, NUMERIC, BOOL, DATE, TIMESTAMP.
"""

from __future__ import annotations

SCD2_COLUMNS = [
    ("meta_effective_from_timestamp", "TIMESTAMP"),
    ("meta_effective_to_timestamp", "TIMESTAMP"),
]

# dataset -> table -> list of (column, type); SCD2 tables get SCD2_COLUMNS appended.
_TABLES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "nova_be_customers_enriched": {
        "customer": [
            ("id", "INT64"),
            ("first_name", "STRING"),
            ("last_name", "STRING"),
            ("email", "STRING"),
            ("phone", "STRING"),
            ("created_at", "TIMESTAMP"),
        ],
        "billing_account": [
            ("id", "INT64"),
            ("customer_id", "INT64"),
            ("account_number", "STRING"),
            ("created_at", "TIMESTAMP"),
        ],
        "smart_meter_bookings": [
            ("id", "INT64"),
            ("customer_id", "INT64"),
            ("billing_account_id", "STRING"),
            ("aes_status", "STRING"),
            ("aes_job_number", "STRING"),
            ("mop_status", "STRING"),
            ("slot_start_date_time", "TIMESTAMP"),
            ("slot_end_date_time", "TIMESTAMP"),
            ("installed_datetime", "TIMESTAMP"),
            ("failed_datetime", "TIMESTAMP"),
            ("failure_reason", "STRING"),
            ("cancel_reason", "STRING"),
            ("cancellation_date_time", "TIMESTAMP"),
            ("fuel_type", "STRING"),
            ("installation_type", "STRING"),
            ("source", "STRING"),
            ("mpan", "STRING"),
            ("mprn", "STRING"),
            ("created_at", "TIMESTAMP"),
        ],
    },
    "nova_be_assets_enriched": {
        "meter_reading": [
            ("id", "INT64"),
            ("meter_id", "INT64"),
            ("source", "STRING"),
            ("status", "STRING"),
            ("workflow_status", "STRING"),
            ("reading_dttm", "TIMESTAMP"),
            ("consumption", "NUMERIC"),
            ("submission_processed", "BOOL"),
            ("created_at", "TIMESTAMP"),
        ],
        "meter": [
            ("id", "INT64"),
            ("msn", "STRING"),
            ("mpxn", "STRING"),
            ("fuel_type", "STRING"),
            ("meter_type", "STRING"),
            ("status", "STRING"),
            ("health_status", "STRING"),
            ("installed_at", "TIMESTAMP"),
            ("removed_at", "TIMESTAMP"),
        ],
        "meter_fault": [
            ("id", "INT64"),
            ("meter_id", "INT64"),
            ("fault_dttm", "TIMESTAMP"),
            ("fault_code", "STRING"),
            ("resolved_dttm", "TIMESTAMP"),
        ],
    },
    "soe_junifer_model": {
        "w_actual_meterreads": [
            ("Account_Number", "STRING"),
            ("MPXN", "STRING"),
            ("MSN", "STRING"),
            ("Register", "STRING"),
            ("Read_Date", "DATE"),
            ("Read_Source", "STRING"),
            ("Reading", "NUMERIC"),
            ("Consumption", "NUMERIC"),
            ("Status", "STRING"),
            ("meta_loaded_at", "TIMESTAMP"),
        ],
        "digital_journey_performance": [
            ("Journey_id", "STRING"),
            ("Account_number", "STRING"),
            ("Mpxn", "STRING"),
            ("KPI_name", "STRING"),
            ("Channel", "STRING"),
            ("DB_Source", "STRING"),
            ("Created_date", "DATE"),
            ("Success_status", "STRING"),
            ("meta_loaded_at", "TIMESTAMP"),
        ],
    },
    "junifer_enriched": {
        "bill": [
            ("id", "INT64"),
            ("account_id", "INT64"),
            ("bill_period_id", "INT64"),
            ("created_dttm", "TIMESTAMP"),
            ("gross_amount", "NUMERIC"),
            ("net_amount", "NUMERIC"),
            ("status", "STRING"),
            ("due_dttm", "TIMESTAMP"),
        ],
        "bill_period": [
            ("id", "INT64"),
            ("account_id", "INT64"),
            ("from_dttm", "TIMESTAMP"),
            ("to_dttm", "TIMESTAMP"),
            ("status_code", "STRING"),
        ],
        "bill_line": [
            ("id", "INT64"),
            ("bill_id", "INT64"),
            ("mpxn", "STRING"),
            ("charge_type", "STRING"),
            ("quantity_kwh", "NUMERIC"),
            ("amount", "NUMERIC"),
        ],
        "account": [
            ("id", "INT64"),
            ("account_number", "STRING"),
            ("customer_id", "INT64"),
            ("from_dttm", "TIMESTAMP"),
            ("to_dttm", "TIMESTAMP"),
        ],
        "property": [
            ("id", "INT64"),
            ("address_line_1", "STRING"),
            ("town", "STRING"),
            ("postcode", "STRING"),
            ("region", "STRING"),
        ],
        "meter_point": [
            ("id", "INT64"),
            ("mpxn", "STRING"),
            ("fuel_type", "STRING"),
            ("property_id", "INT64"),
        ],
        "account_meter_point": [
            ("id", "INT64"),
            ("account_id", "INT64"),
            ("meter_point_id", "INT64"),
            ("from_dttm", "TIMESTAMP"),
            ("to_dttm", "TIMESTAMP"),
        ],
        # extension (docs/source_contract.md): the tariff in force, Opower's rate code (003)
        "account_tariff": [
            ("id", "INT64"),
            ("account_id", "INT64"),
            ("meter_point_id", "INT64"),
            ("tariff_code", "STRING"),
            ("tariff_name", "STRING"),
            ("from_dttm", "TIMESTAMP"),
            ("to_dttm", "TIMESTAMP"),
        ],
        "payment": [
            ("id", "INT64"),
            ("account_id", "INT64"),
            ("bill_id", "INT64"),
            ("received_dttm", "TIMESTAMP"),
            ("amount", "NUMERIC"),
            ("payment_method", "STRING"),
            ("status", "STRING"),
        ],
    },
    "soe_operations_report": {
        "bill_delivery": [
            ("account_number", "STRING"),
            ("billDelivery", "STRING"),
            ("meta_report_period_end_date", "DATE"),
        ],
    },
    "field_ops": {
        "technician": [
            ("technician_id", "INT64"),
            ("technician_name", "STRING"),
            ("region", "STRING"),
        ],
        "install_job": [
            ("aes_job_number", "STRING"),
            ("technician_id", "INT64"),
            ("arrived_dttm", "TIMESTAMP"),
            ("completed_dttm", "TIMESTAMP"),
            ("outcome", "STRING"),
        ],
        "maintenance_request": [
            ("request_id", "INT64"),
            ("customer_id", "INT64"),
            ("meter_id", "INT64"),
            ("technician_id", "INT64"),
            ("request_dttm", "TIMESTAMP"),
            ("resolution_dttm", "TIMESTAMP"),
            ("request_type", "STRING"),
        ],
    },
    "customer_feedback": {
        "survey_response": [
            ("response_id", "INT64"),
            ("customer_id", "INT64"),
            ("responded_at", "TIMESTAMP"),
            ("satisfaction_score", "INT64"),
            ("channel", "STRING"),
        ],
        "complaint": [
            ("complaint_id", "INT64"),
            ("customer_id", "INT64"),
            ("received_at", "TIMESTAMP"),
            ("resolved_at", "TIMESTAMP"),
            ("category", "STRING"),
        ],
    },
    "pulse": {
        "customer": [
            ("customer_id", "INT64"),
            ("customer_name", "STRING"),
            ("phone_number", "STRING"),
            ("territory", "STRING"),
            ("created_at", "TIMESTAMP"),
        ],
        "account": [
            ("account_id", "INT64"),
            ("customer_id", "INT64"),
            ("opco", "STRING"),
            ("shop", "STRING"),
            ("cu_type", "STRING"),
            ("subsidy", "STRING"),
            ("sign_up_sales_agent", "STRING"),
            ("sign_up_sales_agent_code", "STRING"),
            ("install_technician", "STRING"),
            ("install_technician_code", "STRING"),
            ("upgrade_technician", "STRING"),
            ("upgrade_technician_code", "STRING"),
            ("installed_at", "TIMESTAMP"),
            ("created_at", "TIMESTAMP"),
        ],
        "product": [
            ("product_id", "INT64"),
            ("product_name", "STRING"),
            ("product_category", "STRING"),
            ("tags", "STRING"),
            ("has_iot", "BOOL"),
        ],
        "sale_order": [
            ("sale_order_id", "INT64"),
            ("account_id", "INT64"),
            ("ordered_at", "TIMESTAMP"),
            ("fulfilled_at", "TIMESTAMP"),
            ("status", "STRING"),
        ],
        "contract": [
            ("contract_id", "INT64"),
            ("account_id", "INT64"),
            ("sale_order_id", "INT64"),
            ("product_id", "INT64"),
            ("is_upfront", "BOOL"),
            ("status", "STRING"),
            ("finish_reason", "STRING"),
            ("activated_at", "TIMESTAMP"),
            ("finished_at", "TIMESTAMP"),
            ("total_price", "NUMERIC"),
            ("downpayment", "NUMERIC"),
            ("daily_rate", "NUMERIC"),
        ],
        "payment": [
            ("payment_id", "INT64"),
            ("account_id", "INT64"),
            ("paid_at", "TIMESTAMP"),
            ("amount", "NUMERIC"),
            ("credit_days", "INT64"),
        ],
        "account_event": [
            ("event_id", "INT64"),
            ("account_id", "INT64"),
            ("event_type", "STRING"),
            ("event_at", "TIMESTAMP"),
        ],
        "notification": [
            ("notification_id", "INT64"),
            ("account_id", "INT64"),
            ("campaign_name", "STRING"),
            ("notification_name", "STRING"),
            ("language", "STRING"),
            ("delivery_state", "STRING"),
            ("sent_at", "TIMESTAMP"),
        ],
    },
}

# Tables that keep every version of a row (SOURCES.md, SCD2 convention).
SCD2_TABLES: frozenset[tuple[str, str]] = frozenset(
    [
        (ds, t)
        for ds in ("nova_be_customers_enriched", "nova_be_assets_enriched", "junifer_enriched")
        for t in _TABLES[ds]
    ]
    + [("pulse", "account"), ("pulse", "contract")]
)

# Columns holding personal data (tagged `pii` in the sources; never in a mart in clear text).
PII_COLUMNS: frozenset[tuple[str, str, str]] = frozenset(
    [
        ("nova_be_customers_enriched", "customer", "first_name"),
        ("nova_be_customers_enriched", "customer", "last_name"),
        ("nova_be_customers_enriched", "customer", "email"),
        ("nova_be_customers_enriched", "customer", "phone"),
        ("junifer_enriched", "property", "address_line_1"),
        ("junifer_enriched", "property", "postcode"),
        ("field_ops", "technician", "technician_name"),
        ("pulse", "customer", "customer_name"),
        ("pulse", "customer", "phone_number"),
    ]
)

# Reference data shipped as dbt seeds in seeds/reference (not raw tables).
REFERENCE_SEEDS = {
    "opco_default_policy": [("opco", "STRING"), ("default_after_days_expired", "INT64")],
}


def tables() -> dict[str, dict[str, list[tuple[str, str]]]]:
    """Every raw table with its full column list (SCD2 metadata included)."""
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for dataset, tabs in _TABLES.items():
        out[dataset] = {}
        for table, cols in tabs.items():
            full = list(cols)
            if (dataset, table) in SCD2_TABLES:
                full += SCD2_COLUMNS
            out[dataset][table] = full
    return out


def columns(dataset: str, table: str) -> list[str]:
    return [c for c, _ in tables()[dataset][table]]


def is_scd2(dataset: str, table: str) -> bool:
    return (dataset, table) in SCD2_TABLES
