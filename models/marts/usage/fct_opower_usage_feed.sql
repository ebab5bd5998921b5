-- one row per service point (MPXN) and bill period: the Opower usage feed, a flag per rule
-- Incremental: a run rebuilds every row of the service points that changed in the lookback window
-- (int_service_points_refresh_scoped) and of those sharing a premise or a customer with them (now
-- or as last built), computing their rules from every interval of their premises and customers;
-- replaced by usage_interval_id.
-- depends_on: {{ ref('int_service_points_refresh_scoped') }}
{#- the nominal billing cadences and the period lengths (days, both included) each tolerates:
    monthly as CalTRACK 2.2.3.4-5, the others scaled by their months (docs/opower_feed.md) -#}
{%- set billing_cycle_days = {
    'monthly': [25, 35],
    'bimonthly': [50, 70],
    'quarterly': [75, 105],
} %}
{%- set fixed_billing_cycle = var('opower_billing_cycle', none) %}
{%- if fixed_billing_cycle is not none and fixed_billing_cycle not in billing_cycle_days %}
    {{ exceptions.raise_compiler_error(
        "var opower_billing_cycle must be null, monthly, bimonthly or quarterly, not "
        ~ fixed_billing_cycle
    ) }}
{%- endif %}
{#- the rate codes Opower accepts (003: an allowlist, e.g. to exclude medical rates); empty: all -#}
{%- set rate_code_allowlist = var('opower_rate_code_allowlist', []) %}
{%- if rate_code_allowlist is string or rate_code_allowlist is mapping %}
    {{ exceptions.raise_compiler_error(
        "var opower_rate_code_allowlist must be a list of rate codes, not " ~ rate_code_allowlist
    ) }}
{%- endif %}
{{ config(**incremental_by_key(
    'usage_interval_id', 'date_to', cluster_by=['service_point_id', 'premise_id']
)) }}
-- rows whose interval is gone (its period lost its accepted bill) are deleted, in an incremental
-- run (a full refresh has no such row); by key: only a changed point's interval goes
-- (int_usage_intervals_netted deletes no other), and an interval's id is its point's
{{ config(post_hook=
    "{% if is_incremental() %}"
    ~ "delete from {{ this }} where service_point_id in (select service_point_id from "
    ~ "{{ ref('int_service_points_refresh_scoped') }}) and usage_interval_id not in (select "
    ~ "usage_interval_id from {{ ref('int_usage_intervals_netted') }} where service_point_id in ("
    ~ "select service_point_id from {{ ref('int_service_points_refresh_scoped') }}))"
    ~ "{% endif %}"
) }}

with

{% if is_incremental() %}
    all_intervals as (
        select * from {{ ref('int_usage_intervals_netted') }}
    ),

    changed_points as (
        select service_point_id from {{ ref('int_service_points_refresh_scoped') }}
        union distinct
        -- a meter serial number may have moved away from these
        select service_point_id from {{ this }}
        where is_service_point_meter_serial
    ),

    -- every neighbour below is found by key (a semi-join on service_point_id, premise_id or
    -- customer_id, the keys both tables are clustered on), never by a filter over every interval
    -- the premises and customers of the changed points, now and as last built
    changed_neighbourhoods as (
        select
            all_intervals.premise_id,
            all_intervals.customer_id
        from all_intervals
        inner join changed_points
            on all_intervals.service_point_id = changed_points.service_point_id
        union distinct
        select
            last_built.premise_id,
            last_built.customer_id
        from {{ this }} as last_built
        inner join changed_points
            on last_built.service_point_id = changed_points.service_point_id
    ),

    changed_premises as (
        select distinct premise_id from changed_neighbourhoods
        where premise_id is not null
    ),

    changed_customers as (
        select distinct customer_id from changed_neighbourhoods
        where customer_id is not null
    ),

    -- the points whose rows this run rebuilds: the changed ones and their neighbours
    rebuilt_points as (
        select service_point_id from changed_points
        where service_point_id is not null
        union distinct
        select all_intervals.service_point_id
        from all_intervals
        inner join changed_premises
            on all_intervals.premise_id = changed_premises.premise_id
        union distinct
        select all_intervals.service_point_id
        from all_intervals
        inner join changed_customers
            on all_intervals.customer_id = changed_customers.customer_id
    ),

    rebuilt_point_intervals as (
        select all_intervals.*
        from all_intervals
        inner join rebuilt_points
            on all_intervals.service_point_id = rebuilt_points.service_point_id
    ),

    rebuilt_premises as (
        select distinct premise_id from rebuilt_point_intervals
        where premise_id is not null
    ),

    rebuilt_customers as (
        select distinct customer_id from rebuilt_point_intervals
        where customer_id is not null
    ),

    -- every interval the rules of the rebuilt points read: their own, their premises', their
    -- customers' (three disjoint key lookups: a premise's or customer's interval of a rebuilt
    -- point is already in the first)
    usage_intervals as (
        select * from rebuilt_point_intervals
        union all
        select all_intervals.*
        from all_intervals
        inner join rebuilt_premises
            on all_intervals.premise_id = rebuilt_premises.premise_id
        where not coalesce(all_intervals.service_point_id in (
                select rebuilt_points.service_point_id from rebuilt_points
            ), false)
        union all
        select all_intervals.*
        from all_intervals
        inner join rebuilt_customers
            on all_intervals.customer_id = rebuilt_customers.customer_id
        where
            not coalesce(all_intervals.service_point_id in (
                select rebuilt_points.service_point_id from rebuilt_points
            ), false)
            and not coalesce(all_intervals.premise_id in (
                select rebuilt_premises.premise_id from rebuilt_premises
            ), false)
    ),
{% else %}
    usage_intervals as (
        select * from {{ ref('int_usage_intervals_netted') }}
    ),
{% endif %}

meters as (
    select * from {{ ref('stg_nova__meters') }}
),

sequenced as (
    select
        *,
        lag(date_to) over (
            partition by service_point_id
            order by date_to, date_from, bill_period_id
        ) as previous_date_to,
        {{ add_days('date_to', '0 - duration') }} as expected_previous_date_to
    from usage_intervals
),

gaps_flagged as (
    select
        *,
        coalesce(previous_date_to <> expected_previous_date_to, false) as is_gap_or_overlap
    from sequenced
),

gaps_dated as (
    select
        *,
        max(case when is_gap_or_overlap then date_from end) over (
            partition by service_point_id
            order by date_to, date_from, bill_period_id
            rows between unbounded preceding and current row
        ) as last_gap_date
    from gaps_flagged
),

-- each period's own cadence: the one whose tolerance its length falls in (NULL for none, e.g. a
-- partial first or final period); the tolerances do not overlap, so at most one matches
periods_classified as (
    select
        *,
        case
            {%- for cycle, days in billing_cycle_days.items() %}
                when duration between {{ days[0] }} and {{ days[1] }} then '{{ cycle }}'
            {%- endfor %}
        end as period_cadence
    from gaps_dated
),

-- a run: consecutive classified periods of one cadence along the service point (unclassified
-- periods in between do not break it); a period of another cadence starts a new run
cadence_runs_started as (
    select
        *,
        case
            when period_cadence is null then 0
            when
                period_cadence = coalesce(
                    last_value(period_cadence ignore nulls) over (
                        partition by service_point_id
                        order by date_to, date_from, bill_period_id
                        rows between unbounded preceding and 1 preceding
                    ),
                    ''
                )
                then 0
            else 1
        end as starts_cadence_run
    from periods_classified
),

cadence_runs_numbered as (
    select
        *,
        sum(starts_cadence_run) over (
            partition by service_point_id
            order by date_to, date_from, bill_period_id
            rows between unbounded preceding and current row
        ) as cadence_run_number
    from cadence_runs_started
),

-- a run of two periods or more is a cycle; a lone period of another cadence is not
cadence_runs_sized as (
    select
        *,
        count(period_cadence) over (
            partition by service_point_id, cadence_run_number
        ) as cadence_run_periods,
        max(period_cadence) over (
            partition by service_point_id, cadence_run_number
        ) as cadence_run_cadence
    from cadence_runs_numbered
),

cadence_runs_cycled as (
    select
        *,
        case when cadence_run_periods >= 2 then cadence_run_cadence end as run_cycle
    from cadence_runs_sized
),

-- the cycle a period is checked against: the var when set; else the latest cycle up to the
-- period (its own run's, or the one it interrupts), else the first cycle after it, else the
-- period's own cadence, else monthly
cycles_assigned as (
    select
        *,
        {% if fixed_billing_cycle is not none -%}
            '{{ fixed_billing_cycle }}' as billing_cycle
        {%- else -%}
            coalesce(
                last_value(run_cycle ignore nulls) over (
                    partition by service_point_id
                    order by date_to, date_from, bill_period_id
                    rows between unbounded preceding and current row
                ),
                first_value(run_cycle ignore nulls) over (
                    partition by service_point_id
                    order by date_to, date_from, bill_period_id
                    rows between current row and unbounded following
                ),
                period_cadence,
                'monthly'
            ) as billing_cycle
        {%- endif %}
    from cadence_runs_cycled
),

cycled as (
    select
        *,
        cast(case billing_cycle
            {%- for cycle, days in billing_cycle_days.items() %}
                when '{{ cycle }}' then {{ days[0] }}
            {%- endfor %}
        end as {{ dbt.type_bigint() }}) as billing_cycle_min_days,
        cast(case billing_cycle
            {%- for cycle, days in billing_cycle_days.items() %}
                when '{{ cycle }}' then {{ days[1] }}
            {%- endfor %}
        end as {{ dbt.type_bigint() }}) as billing_cycle_max_days
    from cycles_assigned
),

-- a service point billed to two accounts over overlapping days (supply links: upstream)
two_account_intervals as (
    select distinct this_interval.usage_interval_id
    from usage_intervals as this_interval
    inner join usage_intervals as other_interval
        on
            this_interval.service_point_id = other_interval.service_point_id
            and this_interval.account_id <> other_interval.account_id
            and this_interval.date_from <= other_interval.date_to
            and this_interval.date_to >= other_interval.date_from
),

-- the other fuel of a premise billed to a different customer over overlapping days
unlinked_dual_fuel_intervals as (
    select distinct this_interval.usage_interval_id
    from usage_intervals as this_interval
    inner join usage_intervals as other_interval
        on
            this_interval.premise_id = other_interval.premise_id
            and this_interval.fuel <> other_interval.fuel
            and this_interval.customer_id <> other_interval.customer_id
            and this_interval.date_from <= other_interval.date_to
            and this_interval.date_to >= other_interval.date_from
),

-- premises of a customer's accounts still active on the build's as-of day
customer_premises as (
    select
        customer_id,
        count(distinct premise_id) as active_premise_count
    from usage_intervals
    where inactive_date is null or inactive_date > {{ as_of_date() }}
    group by customer_id
),

service_point_premises as (
    select
        service_point_id,
        count(distinct premise_id) as premise_count
    from usage_intervals
    group by service_point_id
),

customer_premise_fuels as (
    select
        customer_id,
        premise_id,
        count(distinct fuel) as fuel_count
    from usage_intervals
    group by customer_id, premise_id
),

meter_serials as (
    select distinct msn
    from meters
    where msn is not null
),

flagged as (
    select
        cycled.*,
        {{ to_date(dbt.dateadd('year', 2, 'cycled.last_gap_date')) }}
            as ineligible_until_date,
        (
            two_account_intervals.usage_interval_id is not null
            or cycled.has_other_account_link
        ) as is_on_two_accounts,
        cycled.active_date_version_count > 1 as is_active_date_changed,
        coalesce(
            cycled.inactive_date <= cycled.active_date, false
        ) as is_inactive_not_after_active,
        (
            cycled.active_date is null
            or cycled.date_from < cycled.active_date
            or coalesce(cycled.date_to >= cycled.inactive_date, false)
        ) as is_outside_active_window,
        coalesce(customer_premises.active_premise_count > 2, false)
            as is_customer_over_two_premises,
        (
            coalesce(service_point_premises.premise_count > 1, false)
            or cycled.meter_point_premise_count > 1
        ) as is_premise_changed,
        meter_serials.msn is not null as is_service_point_meter_serial,
        (
            cycled.usage_value < 0 and not cycled.is_net_metered
        ) as is_negative_usage_not_net_metered,
        (
            cycled.duration < cycled.billing_cycle_min_days
            or cycled.duration > cycled.billing_cycle_max_days
        ) as is_off_cycle,
        coalesce(customer_premise_fuels.fuel_count >= 2, false) as is_dual_fuel,
        unlinked_dual_fuel_intervals.usage_interval_id is not null as is_dual_fuel_unlinked,
        cycled.rate_code is null as is_rate_code_missing,
        {% if rate_code_allowlist | length > 0 -%}
            coalesce(cycled.rate_code not in (
                {%- for code in rate_code_allowlist %}
                    '{{ code }}'{{ "," if not loop.last }}
                {%- endfor %}
            ), false)
        {%- else -%}
            false
        {%- endif %} as is_rate_code_not_allowed
    from cycled
    left join two_account_intervals
        on cycled.usage_interval_id = two_account_intervals.usage_interval_id
    left join unlinked_dual_fuel_intervals
        on cycled.usage_interval_id = unlinked_dual_fuel_intervals.usage_interval_id
    left join customer_premises
        on cycled.customer_id = customer_premises.customer_id
    left join service_point_premises
        on cycled.service_point_id = service_point_premises.service_point_id
    left join customer_premise_fuels
        on
            cycled.customer_id = customer_premise_fuels.customer_id
            and cycled.premise_id = customer_premise_fuels.premise_id
    left join meter_serials
        on cycled.service_point_id = meter_serials.msn
),

final as (
    select
        usage_interval_id,
        customer_id,
        premise_id,
        account_id,
        active_date,
        inactive_date,
        rate_code,
        rate_name,
        service_point_id,
        fuel,
        date_from,
        date_to,
        duration,
        usage_value,
        usage_charge,
        import_kwh,
        export_kwh,
        is_net_metered,
        bill_period_id,
        bill_id,
        previous_date_to,
        expected_previous_date_to,
        ineligible_until_date,
        coalesce(date_to < ineligible_until_date, false) as is_within_gap_ineligibility,
        is_gap_or_overlap,
        is_on_two_accounts,
        is_active_date_changed,
        is_inactive_not_after_active,
        is_outside_active_window,
        is_customer_over_two_premises,
        is_premise_changed,
        is_service_point_meter_serial,
        is_negative_usage_not_net_metered,
        billing_cycle,
        billing_cycle_min_days,
        billing_cycle_max_days,
        is_off_cycle,
        is_dual_fuel,
        is_dual_fuel_unlinked,
        is_rate_code_missing,
        is_rate_code_not_allowed,
        (
            is_gap_or_overlap
            or is_on_two_accounts
            or is_active_date_changed
            or is_inactive_not_after_active
            or is_outside_active_window
            or is_customer_over_two_premises
            or is_premise_changed
            or is_service_point_meter_serial
            or is_negative_usage_not_net_metered
            or is_off_cycle
            or is_dual_fuel_unlinked
            or is_rate_code_missing
            or is_rate_code_not_allowed
        ) as has_rule_break
    from flagged
    {% if is_incremental() %}
        where service_point_id in (select service_point_id from rebuilt_points)
    {% endif %}
)

select * from final
