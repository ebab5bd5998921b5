-- one row per read month, customer and region of the meter points read
{{ config(**incremental_by_period(
    'read_month', granularity='month', cluster_by=['region', 'customer_id']
)) }}

with

actual_meter_reads as (
    select * from {{ ref('stg_junifer__actual_meter_reads') }}
    {% if is_incremental() %}
        -- whole months: every month with a read loaded in the lookback window
        where {{ month_start('read_date') }} in (
            select {{ month_start('read_date') }}
            from {{ ref('stg_junifer__actual_meter_reads') }}
            where {{ loaded_within_lookback('loaded_at') }}
        )
    {% endif %}
),

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

meter_points as (
    select * from {{ ref('int_meter_points_regioned') }}
),

aggregated as (
    select
        {{ month_start('actual_meter_reads.read_date') }} as read_month,
        accounts.customer_id,
        meter_points.region,
        count(*) as reads,
        sum(
            case
                when actual_meter_reads.register <> 'EXPORT'
                    then actual_meter_reads.consumption_kwh
                else 0
            end
        ) as consumption_kwh,
        sum(
            case
                when actual_meter_reads.register = 'EXPORT'
                    then -actual_meter_reads.consumption_kwh
                else 0
            end
        ) as export_kwh
    from actual_meter_reads
    inner join accounts
        on actual_meter_reads.account_number = accounts.account_number
    left join meter_points
        on actual_meter_reads.mpxn = meter_points.mpxn
    where actual_meter_reads.read_date <= {{ as_of_date() }}
    group by
        read_month,
        accounts.customer_id,
        meter_points.region
),

ranked as (
    select
        *,
        row_number() over (
            partition by read_month
            order by consumption_kwh desc, customer_id asc, region asc
        ) as consumption_rank
    from aggregated
),

final as (
    select
        {{ surrogate_key(['read_month', 'customer_id', 'region']) }}
            as customer_consumption_monthly_id,
        read_month,
        customer_id,
        region,
        reads,
        consumption_kwh,
        export_kwh,
        consumption_rank,
        consumption_rank <= 10 as is_top_10_consumer
    from ranked
)

select * from final
