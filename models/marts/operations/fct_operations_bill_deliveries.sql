-- one row per report period and bill delivery method
with

bill_deliveries as (
    select * from {{ ref('stg_soe_operations__bill_deliveries') }}
),

latest_period as (
    select max(report_period_end_date) as latest_report_period_end_date
    from bill_deliveries
),

aggregated as (
    select
        report_period_end_date,
        bill_delivery_method,
        count(distinct account_number) as delivery_accounts
    from bill_deliveries
    group by
        report_period_end_date,
        bill_delivery_method
),

final as (
    select
        {{ surrogate_key([
            'aggregated.report_period_end_date', 'aggregated.bill_delivery_method'
        ]) }} as bill_deliveries_id,
        aggregated.report_period_end_date,
        aggregated.bill_delivery_method,
        aggregated.report_period_end_date = latest_period.latest_report_period_end_date
            as is_latest_report_period,
        aggregated.delivery_accounts
    from aggregated
    cross join latest_period
)

select * from final
