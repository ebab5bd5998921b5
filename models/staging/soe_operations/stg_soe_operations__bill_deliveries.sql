-- one row per account and report period
with

source as (
    select * from {{ source('soe_operations_report', 'bill_delivery') }}
),

renamed as (
    select
        {{ surrogate_key(['account_number', 'meta_report_period_end_date']) }}
            as bill_delivery_snapshot_id,
        account_number,
        billDelivery as bill_delivery_method,
        meta_report_period_end_date as report_period_end_date
    from source
)

select * from renamed
