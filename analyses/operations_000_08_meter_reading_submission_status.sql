-- 000, "Meter reading submission status": current readings per status and workflow status
with

meter_readings_daily as (
    select * from {{ ref('fct_operations_meter_readings_daily') }}
),

final as (
    select
        reading_status as status,
        workflow_status,
        sum(readings) as readings
    from meter_readings_daily
    group by
        reading_status,
        workflow_status
)

select * from final
order by readings desc
