-- one row per account and report period
-- The source spells these columns in mixed case (Read_Date, ...); renaming them to lower case
-- is the whole point of this model, which AL09 reads as a self alias.
-- noqa: disable=AL09
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
