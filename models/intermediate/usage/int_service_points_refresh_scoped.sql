-- one row per service point (MPXN) whose usage intervals may have changed in the lookback window:
-- what an incremental run of fct_opower_usage_feed starts from (it adds the service points that
-- share a premise or a customer with these). A table rebuilt on every run (incremental or not),
-- before every model that reads it: computed once per run, where a view was computed again by
-- each of its readers (the intervals, the feed, the exceptions and their post-hooks).
{{ config(materialized='table') }}

with

bills as (
    select * from {{ ref('stg_junifer__bills') }}
),

bill_lines as (
    select * from {{ ref('stg_junifer__bill_lines') }}
),

bill_periods as (
    select * from {{ ref('stg_junifer__bill_periods') }}
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

meters as (
    select * from {{ ref('stg_nova__meters') }}
),

as_of as (
    select * from {{ ref('util_as_of_date') }}
),

changed_bill_periods as (
    {{ bill_periods_changed_in_lookback() }}
),

-- accounts whose service dates, customer, supply links or tariffs changed in the window, and
-- those whose inactive date passed in it (a customer's active premises are counted on the as-of
-- day)
changed_accounts as (
    select account_id from account_versions
    where {{ loaded_within_lookback('valid_from_at') }}
    union distinct
    select account_id from account_meter_points
    where {{ loaded_within_lookback('valid_from_at') }}
    union distinct
    select account_id from account_tariffs
    where {{ loaded_within_lookback('valid_from_at') }}
    union distinct
    select accounts.account_id
    from accounts
    cross join as_of
    where
        {{ to_date('accounts.service_end_at') }} <= as_of.as_of_date
        and {{ to_date('accounts.service_end_at') }}
        > {{ add_days('as_of.as_of_date', -1 * var('lookback_days', 7)) }}
),

rebuilt_bill_periods as (
    select bill_period_id from changed_bill_periods
    union distinct
    select bill_period_id from bill_periods
    where account_id in (select changed_accounts.account_id from changed_accounts)
),

changed_points as (
    -- billed on a changed bill period, or on any period of a changed account
    select bill_lines.mpxn as service_point_id
    from bill_lines
    inner join bills
        on bill_lines.bill_id = bills.bill_id
    where bills.bill_period_id in (
            select rebuilt_bill_periods.bill_period_id from rebuilt_bill_periods
        )
    union distinct
    -- supplied to a changed account
    select meter_points.mpxn as service_point_id
    from account_meter_points
    inner join meter_points
        on account_meter_points.meter_point_id = meter_points.meter_point_id
    where account_meter_points.account_id in (
            select changed_accounts.account_id from changed_accounts
        )
    union distinct
    -- its meter point (premise, fuel) changed
    select mpxn as service_point_id from meter_points
    where {{ loaded_within_lookback('valid_from_at') }}
    union distinct
    -- a meter serial number that may now equal a service point id
    select msn as service_point_id from meters
    where {{ loaded_within_lookback('valid_from_at') }}
),

final as (
    select service_point_id
    from changed_points
    where service_point_id is not null
)

select * from final
