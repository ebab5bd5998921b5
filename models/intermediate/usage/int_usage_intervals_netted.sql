-- one row per service point (MPXN) and bill period: import and export summed (net metering), with
-- the rate (tariff) in force on the period's last day
-- Incremental: rebuilds every row of the service points that changed in the lookback window
-- (int_service_points_refresh_scoped: a changed bill period, account, supply link, tariff or
-- meter point), replaced by usage_interval_id.
-- depends_on: {{ ref('int_service_points_refresh_scoped') }}
{{ config(**incremental_by_key(
    'usage_interval_id', 'date_to', cluster_by=['service_point_id', 'premise_id']
)) }}
-- intervals whose bill is no longer a latest accepted one (the period lost it) are deleted, in an
-- incremental run (a full refresh has no such row); by key: only a changed point's interval can
-- lose its bill (its period changed in the window), and a bill is looked up in its own period
{{ config(post_hook=
    "{% if is_incremental() %}"
    ~ "delete from {{ this }} where service_point_id in (select service_point_id from "
    ~ "{{ ref('int_service_points_refresh_scoped') }}) and bill_id not in (select bill_id from "
    ~ "{{ ref('int_bill_period_meter_points_summed') }} where bill_period_id in ("
    ~ "select bill_period_id from {{ this }} where service_point_id in (select service_point_id "
    ~ "from {{ ref('int_service_points_refresh_scoped') }})))"
    ~ "{% endif %}"
) }}

with

meter_point_charges as (
    select * from {{ ref('int_bill_period_meter_points_summed') }}
    {% if is_incremental() %}
        where mpxn in (
            select service_point_id from {{ ref('int_service_points_refresh_scoped') }}
        )
    {% endif %}
),

bill_periods as (
    select * from {{ ref('int_bill_periods_billed') }}
),

accounts as (
    select * from {{ ref('stg_junifer__accounts') }}
),

account_versions as (
    select * from {{ ref('stg_junifer__account_versions') }}
),

account_meter_points as (
    select * from {{ ref('stg_junifer__account_meter_points') }}
),

account_tariffs as (
    select * from {{ ref('stg_junifer__account_tariffs') }}
),

meter_points as (
    select * from {{ ref('stg_junifer__meter_points') }}
),

meter_point_versions as (
    select * from {{ ref('stg_junifer__meter_point_versions') }}
),

-- the meter point (premise, fuel) an account is supplied at, per MPXN
supply_links_ranked as (
    select
        account_meter_points.account_id,
        meter_points.mpxn,
        meter_points.property_id,
        meter_points.fuel_type,
        row_number() over (
            partition by account_meter_points.account_id, meter_points.mpxn
            order by account_meter_points.supply_start_at desc, meter_points.meter_point_id desc
        ) as link_rank
    from account_meter_points
    inner join meter_points
        on account_meter_points.meter_point_id = meter_points.meter_point_id
),

supply_links as (
    select * from supply_links_ranked
    where link_rank = 1
),

-- every supply link of an MPXN as a range of days (end exclusive; NULL while open)
supply_link_days as (
    select
        account_meter_points.account_id,
        meter_points.mpxn,
        {{ to_date('account_meter_points.supply_start_at') }} as supply_start_date,
        {{ to_date('account_meter_points.supply_end_at') }} as supply_end_date
    from account_meter_points
    inner join meter_points
        on account_meter_points.meter_point_id = meter_points.meter_point_id
),

-- every tariff spell of an account at an MPXN as a range of days (end exclusive; NULL while in
-- force): a switch during a day counts from that day
tariff_days as (
    select
        account_tariffs.account_tariff_id,
        account_tariffs.account_id,
        meter_points.mpxn,
        account_tariffs.tariff_code,
        account_tariffs.tariff_name,
        account_tariffs.tariff_start_at,
        {{ to_date('account_tariffs.tariff_start_at') }} as tariff_start_date,
        {{ to_date('account_tariffs.tariff_end_at') }} as tariff_end_date
    from account_tariffs
    inner join meter_points
        on account_tariffs.meter_point_id = meter_points.meter_point_id
),

-- the rate of a billed interval: the account's tariff at the MPXN in force on the period's last
-- day (date_to); if two spells cover that day, the one that started last
interval_tariffs_ranked as (
    select
        meter_point_charges.mpxn,
        meter_point_charges.bill_period_id,
        tariff_days.tariff_code,
        tariff_days.tariff_name,
        row_number() over (
            partition by meter_point_charges.mpxn, meter_point_charges.bill_period_id
            order by tariff_days.tariff_start_at desc, tariff_days.account_tariff_id desc
        ) as tariff_rank
    from meter_point_charges
    inner join bill_periods
        on meter_point_charges.bill_period_id = bill_periods.bill_period_id
    inner join tariff_days
        on
            meter_point_charges.mpxn = tariff_days.mpxn
            and bill_periods.account_id = tariff_days.account_id
            and bill_periods.last_billed_date >= tariff_days.tariff_start_date
            and (
                tariff_days.tariff_end_date is null
                or bill_periods.last_billed_date < tariff_days.tariff_end_date
            )
),

interval_tariffs as (
    select * from interval_tariffs_ranked
    where tariff_rank = 1
),

-- billed intervals whose MPXN is linked to another account on some of the billed days
shared_link_intervals as (
    select distinct
        meter_point_charges.mpxn,
        meter_point_charges.bill_period_id
    from meter_point_charges
    inner join bill_periods
        on meter_point_charges.bill_period_id = bill_periods.bill_period_id
    inner join supply_link_days
        on
            meter_point_charges.mpxn = supply_link_days.mpxn
            and bill_periods.account_id <> supply_link_days.account_id
            and bill_periods.last_billed_date >= supply_link_days.supply_start_date
            and (
                supply_link_days.supply_end_date is null
                or bill_periods.first_billed_date < supply_link_days.supply_end_date
            )
),

-- fallback for a billed MPXN without a supply link: its latest meter point
meter_points_ranked as (
    select
        mpxn,
        property_id,
        fuel_type,
        row_number() over (partition by mpxn order by meter_point_id desc) as mpxn_rank
    from meter_points
),

meter_points_by_mpxn as (
    select * from meter_points_ranked
    where mpxn_rank = 1
),

-- every property the MPXN has been registered at, over all its meter points and their versions:
-- a premise change inside the meter-point history, which the feed rows alone may not show
meter_point_premise_history as (
    select
        mpxn,
        count(distinct property_id) as meter_point_premise_count
    from meter_point_versions
    where mpxn in (select meter_point_charges.mpxn from meter_point_charges)
    group by mpxn
),

active_date_history as (
    select
        account_id,
        count(distinct {{ to_date('service_start_at') }}) as active_date_version_count
    from account_versions
    group by account_id
),

net_metered_points as (
    select
        mpxn,
        max(case when has_export_line then 1 else 0 end) = 1 as is_net_metered
    from meter_point_charges
    group by mpxn
),

joined as (
    select
        {{ surrogate_key(['meter_point_charges.mpxn', 'meter_point_charges.bill_period_id']) }}
            as usage_interval_id,
        meter_point_charges.mpxn as service_point_id,
        meter_point_charges.bill_period_id,
        meter_point_charges.bill_id,
        bill_periods.account_id,
        accounts.customer_id,
        coalesce(supply_links.property_id, meter_points_by_mpxn.property_id) as premise_id,
        coalesce(supply_links.fuel_type, meter_points_by_mpxn.fuel_type) as fuel,
        {{ to_date('accounts.service_start_at') }} as active_date,
        {{ to_date('accounts.service_end_at') }} as inactive_date,
        bill_periods.first_billed_date as date_from,
        bill_periods.last_billed_date as date_to,
        bill_periods.duration_days as duration,
        meter_point_charges.usage_kwh as usage_value,
        meter_point_charges.usage_charge_gbp as usage_charge,
        meter_point_charges.import_kwh,
        meter_point_charges.export_kwh,
        coalesce(net_metered_points.is_net_metered, false) as is_net_metered,
        supply_links.account_id is not null as has_supply_link,
        shared_link_intervals.mpxn is not null as has_other_account_link,
        coalesce(active_date_history.active_date_version_count, 1) as active_date_version_count,
        coalesce(meter_point_premise_history.meter_point_premise_count, 0)
            as meter_point_premise_count,
        interval_tariffs.tariff_code as rate_code,
        interval_tariffs.tariff_name as rate_name
    from meter_point_charges
    inner join bill_periods
        on meter_point_charges.bill_period_id = bill_periods.bill_period_id
    left join accounts
        on bill_periods.account_id = accounts.account_id
    left join supply_links
        on
            bill_periods.account_id = supply_links.account_id
            and meter_point_charges.mpxn = supply_links.mpxn
    left join meter_points_by_mpxn
        on meter_point_charges.mpxn = meter_points_by_mpxn.mpxn
    left join active_date_history
        on bill_periods.account_id = active_date_history.account_id
    left join net_metered_points
        on meter_point_charges.mpxn = net_metered_points.mpxn
    left join meter_point_premise_history
        on meter_point_charges.mpxn = meter_point_premise_history.mpxn
    left join shared_link_intervals
        on
            meter_point_charges.mpxn = shared_link_intervals.mpxn
            and meter_point_charges.bill_period_id = shared_link_intervals.bill_period_id
    left join interval_tariffs
        on
            meter_point_charges.mpxn = interval_tariffs.mpxn
            and meter_point_charges.bill_period_id = interval_tariffs.bill_period_id
),

final as (
    select * from joined
)

select * from final
