-- one row per meter point (mpxn): its fuel type and the region of the property it serves
with

meter_points as (
    select * from {{ ref('stg_junifer__meter_points') }}
),

properties as (
    select * from {{ ref('stg_junifer__properties') }}
),

ranked as (
    select
        meter_points.mpxn,
        meter_points.meter_point_id,
        meter_points.fuel_type,
        meter_points.property_id,
        properties.region,
        row_number() over (
            partition by meter_points.mpxn
            order by meter_points.meter_point_id desc
        ) as mpxn_rank
    from meter_points
    left join properties
        on meter_points.property_id = properties.property_id
),

final as (
    select
        mpxn,
        meter_point_id,
        fuel_type,
        property_id,
        region
    from ranked
    where mpxn_rank = 1
)

select * from final
