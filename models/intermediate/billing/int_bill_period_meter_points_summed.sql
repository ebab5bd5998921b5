-- one row per bill period and meter point (MPXN) charged on the period's latest accepted bill
-- Incremental: rebuilds the bill periods int_bill_periods_billed rebuilds (the period, a bill or a
-- bill line changed in the lookback window), replaced by (bill_period_id, mpxn).
-- depends_on: {{ ref('util_as_of_date') }}
-- depends_on: {{ ref('stg_junifer__bill_periods') }}
-- depends_on: {{ ref('stg_junifer__bills') }}
{{ config(**incremental_by_key(['bill_period_id', 'mpxn'], cluster_by=['bill_period_id'])) }}
-- a rebuilt period that lost its accepted bill (superseded, its re-bill still a draft) brings no
-- row to replace the ones of the old bill: they are deleted after the insert
{{ config(post_hook=
    "delete from {{ this }} where bill_id not in (select bill_id from "
    ~ "{{ ref('int_bill_periods_billed') }} where bill_id is not null)"
) }}

with

bill_periods as (
    select * from {{ ref('int_bill_periods_billed') }}
    {% if is_incremental() %}
        where bill_period_id in ({{ bill_periods_changed_in_lookback() }})
    {% endif %}
),

bill_lines as (
    select * from {{ ref('stg_junifer__bill_lines') }}
    {% if is_incremental() %}
        where bill_id in (select bill_periods.bill_id from bill_periods)
    {% endif %}
),

latest_bill_lines as (
    select
        bill_periods.bill_period_id,
        bill_periods.bill_id,
        bill_lines.mpxn,
        bill_lines.charge_type,
        bill_lines.quantity_kwh,
        bill_lines.amount_gbp
    from bill_periods
    inner join bill_lines
        on bill_periods.bill_id = bill_lines.bill_id
    where bill_lines.mpxn is not null
),

summed as (
    select
        bill_period_id,
        bill_id,
        mpxn,
        sum(
            case when charge_type = 'UNIT' then quantity_kwh else 0 end
        ) as import_kwh,
        sum(
            case when charge_type = 'EXPORT' then quantity_kwh else 0 end
        ) as export_kwh,
        sum(
            case when charge_type in ('UNIT', 'EXPORT') then quantity_kwh else 0 end
        ) as usage_kwh,
        sum(
            case when charge_type in ('UNIT', 'EXPORT') then amount_gbp else 0 end
        ) as usage_charge_gbp,
        sum(
            case when charge_type = 'STANDING' then amount_gbp else 0 end
        ) as standing_charge_gbp,
        sum(case when charge_type = 'EXPORT' then 1 else 0 end) > 0 as has_export_line
    from latest_bill_lines
    group by bill_period_id, bill_id, mpxn
),

final as (
    select * from summed
)

select * from final
