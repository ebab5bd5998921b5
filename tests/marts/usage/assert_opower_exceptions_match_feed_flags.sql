-- fct_opower_feed_exceptions lists exactly the flagged feed rows: one row per rule and flag
with

feed as (
    select * from {{ ref('fct_opower_usage_feed') }}
),

exceptions as (
    select * from {{ ref('fct_opower_feed_exceptions') }}
),

flag_counts as (
    select
        sum(
            case when is_gap_or_overlap then 1 else 0 end
            + case when is_on_two_accounts then 1 else 0 end
            + case when is_active_date_changed then 1 else 0 end
            + case when is_inactive_not_after_active then 1 else 0 end
            + case when is_outside_active_window then 1 else 0 end
            + case when is_customer_over_two_premises then 1 else 0 end
            + case when is_premise_changed then 1 else 0 end
            + case when is_service_point_meter_serial then 1 else 0 end
            + case when is_negative_usage_not_net_metered then 1 else 0 end
            + case when is_off_cycle then 1 else 0 end
            + case when is_dual_fuel_unlinked then 1 else 0 end
        ) as flags,
        sum(case when has_rule_break then 1 else 0 end) as flagged_rows
    from feed
),

exception_counts as (
    select
        count(*) as exception_rows,
        count(distinct usage_interval_id) as exception_intervals
    from exceptions
),

compared as (
    select
        flag_counts.flags,
        flag_counts.flagged_rows,
        exception_counts.exception_rows,
        exception_counts.exception_intervals
    from flag_counts
    cross join exception_counts
)

select * from compared
where
    coalesce(flags, 0) <> exception_rows
    or coalesce(flagged_rows, 0) <> exception_intervals
