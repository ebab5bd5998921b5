{#-
    The accounts whose row in the metering marts can change through the account itself (a
    subquery of account_id): a new version of the account (its customer, service dates), of one
    of its supply links, or of a meter point sharing an MPXN with one it is linked to (the MPXN's
    region is that of its latest meter point, int_meter_points_regioned) in the lookback window.
-#}
{% macro metering_accounts_changed_in_lookback() %}
    select changed_account_versions.account_id
    from {{ ref('stg_junifer__account_versions') }} as changed_account_versions
    where {{ loaded_within_lookback('changed_account_versions.valid_from_at') }}
    union distinct
    select changed_links.account_id
    from {{ ref('stg_junifer__account_meter_points') }} as changed_links
    where {{ loaded_within_lookback('changed_links.valid_from_at') }}
    union distinct
    select linked.account_id
    from {{ ref('stg_junifer__account_meter_points') }} as linked
    inner join {{ ref('stg_junifer__meter_points') }} as linked_points
        on linked.meter_point_id = linked_points.meter_point_id
    where linked_points.mpxn in (
        select changed_points.mpxn
        from {{ ref('stg_junifer__meter_points') }} as changed_points
        where {{ loaded_within_lookback('changed_points.valid_from_at') }}
    )
{%- endmacro %}

{#-
    The bill periods whose row in fct_metering_bills can change in an incremental run (a subquery
    of bill_period_id): the period, one of its bills or bill lines changed in the lookback window
    (bill_periods_changed_in_lookback), a payment of one of its bills was received or settled in
    it, its account changed (metering_accounts_changed_in_lookback: customer, region), or its
    bill falls due on or after the window's first day (is_overdue turns true when the as-of day
    passes the due date).
-#}
{% macro metering_bills_rebuilt_periods() %}
    {{ bill_periods_changed_in_lookback() }}
    union distinct
    select paid_bills.bill_period_id
    from {{ ref('stg_junifer__payments') }} as changed_payments
    inner join {{ ref('stg_junifer__bills') }} as paid_bills
        on changed_payments.bill_id = paid_bills.bill_id
    where {{ loaded_within_lookback('changed_payments.valid_from_at') }}
    union distinct
    select scoped_periods.bill_period_id
    from {{ ref('int_bill_periods_billed') }} as scoped_periods
    where
        {{ to_date('scoped_periods.bill_due_at') }} >= {{ lookback_start() }}
        or scoped_periods.account_id in ({{ metering_accounts_changed_in_lookback() }})
{%- endmacro %}

{#-
    The customers whose supplied months (int_customer_months_supplied) can change other than by a
    new month (a subquery of customer_id): every customer any version of a changed account
    belongs or belonged to, so that an account moved to another customer leaves its old one too.
-#}
{% macro metering_customers_changed_in_lookback() %}
    select account_customers.customer_id
    from {{ ref('stg_junifer__account_versions') }} as account_customers
    where account_customers.account_id in (
        select changed_account_versions.account_id
        from {{ ref('stg_junifer__account_versions') }} as changed_account_versions
        where {{ loaded_within_lookback('changed_account_versions.valid_from_at') }}
    )
{%- endmacro %}
