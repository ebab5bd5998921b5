-- one row per journey date, KPI, channel and database source
-- depends_on: {{ ref('util_as_of_date') }} (the lookback window's anchor)
{{ config(**incremental_by_period(
    'created_date', cluster_by=['kpi_name', 'channel', 'db_source']
)) }}

with

digital_journeys as (
    select * from {{ ref('stg_junifer__digital_journeys') }}
    {% if is_incremental() %}
        -- whole days: every day with a row loaded or changed in the lookback window
        where created_date in (
            select created_date from {{ ref('stg_junifer__digital_journeys') }}
            where {{ loaded_within_lookback('loaded_at') }}
        )
    {% endif %}
),

aggregated as (
    select
        created_date,
        kpi_name,
        channel,
        db_source,
        count(*) as attempts,
        sum(case when success_status = 'Success' then 1 else 0 end) as successes
    from digital_journeys
    group by
        created_date,
        kpi_name,
        channel,
        db_source
),

final as (
    select
        {{ surrogate_key(['created_date', 'kpi_name', 'channel', 'db_source']) }}
            as digital_journeys_daily_id,
        created_date,
        kpi_name,
        channel,
        db_source,
        attempts,
        cast(successes as {{ dbt.type_bigint() }}) as successes,
        cast(attempts - successes as {{ dbt.type_bigint() }}) as failures,
        {{ operations_success_rate('successes', 'attempts') }} as success_rate_pct
    from aggregated
)

select * from final
