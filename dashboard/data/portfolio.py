"""Every query of the portfolio report (002), in SQL that DuckDB and BigQuery both run.

The KPIs come from `marts.fct_portfolio_monthly` (month x every slicing dimension, additive
numerators and denominators): a query sums the numerators and the denominators over the chosen
slice in the engine, one row per month, and only then is each ratio divided, so no ratio is ever
averaged. Categories and PAR buckets come from `marts.fct_portfolio_account_monthly`, aggregated in
the engine; the cohort matrices from `marts.fct_portfolio_default_cohorts` and
`marts.fct_portfolio_churn_cohorts` (counts re-summed over the chosen opcos before dividing);
notifications from `marts.fct_portfolio_notifications`.

No query reads `dim_portfolio_customer_lookup` (schema `restricted`, personal data) nor any
account-level column: every result is an aggregate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.data import Reader, in_list, require_rows

MONTHLY = "marts.fct_portfolio_monthly"
ACCOUNT_MONTHLY = "marts.fct_portfolio_account_monthly"
NOTIFICATIONS = "marts.fct_portfolio_notifications"
DEFAULT_COHORTS = "marts.fct_portfolio_default_cohorts"
CHURN_COHORTS = "marts.fct_portfolio_churn_cohorts"


@dataclass(frozen=True)
class Slicer:
    """A slicing dimension of 002 (items 30-36): the filter's key suffix, column and label."""

    key: str
    column: str
    label: str


SLICERS: tuple[Slicer, ...] = (
    Slicer("opco", "opco", "Opco"),
    Slicer("shop", "shop", "Shop"),
    Slicer("cu_type", "cu_type", "CU Type"),
    Slicer("subsidy", "subsidy", "Subsidy"),
    Slicer("tv_customer", "tv_customer", "TV Customer"),
    Slicer("esf_only", "esf_only_customer", "ESF Only Customer"),
    Slicer("enable_status", "enable_status", "Enable Status"),
    Slicer("arpu_range", "arpu_range", "Current ARPU Range"),
)
SLICER_BY_KEY = {s.key: s for s in SLICERS}
# The notification mart carries the account's current opco, shop, CU type and subsidy only;
# the cohort marts carry the opco only.
NOTIFICATION_SLICERS = ("opco", "shop", "cu_type", "subsidy")
COHORT_SLICERS = ("opco",)

Filters = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Kpi:
    """A KPI of 002: its label, the MetricFlow metric that defines it, and how it is computed from
    the summed columns of fct_portfolio_monthly (numerator, and denominator for a ratio)."""

    label: str
    metric: str
    numerator: str
    denominator: str | None = None
    kind: str = "count"  # count | rate | money
    decimals: int = 0
    item: str = ""

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None


def _rate(label, metric, numerator, denominator, decimals=2, item=""):
    return Kpi(label, metric, numerator, denominator, "rate", decimals, item)


# Every KPI of the data dictionary (002, items 1-24) that fct_portfolio_monthly holds, in the
# dictionary's order; the labels are the metrics' labels in _portfolio__semantic.yml (a test
# checks they agree with the semantic manifest).
KPIS: tuple[Kpi, ...] = (
    Kpi("All Accounts", "portfolio_all_accounts", "all_accounts", item="1"),
    Kpi(
        "Contracted Portfolio Size",
        "portfolio_contracted_size",
        "contracted_portfolio_size",
        item="2",
    ),
    Kpi("Churned Portfolio Size", "portfolio_churned_size", "churned_portfolio_size", item="2"),
    Kpi("Paid Portfolio Size", "portfolio_paid_size", "paid_portfolio_size", item="2"),
    Kpi("Active Portfolio Size", "portfolio_active_size", "active_portfolio_size", item="3"),
    Kpi("Defaulters", "portfolio_defaulters", "defaulters", item="4"),
    _rate(
        "% Portfolio in Default",
        "portfolio_in_default_pct",
        "defaulters",
        "contracted_portfolio_size",
        1,
        "5",
    ),
    Kpi("Delta in Defaulters", "portfolio_delta_in_defaulters", "delta_in_defaulters", item="6"),
    Kpi("Repo (count)", "portfolio_repo_count", "repossessions", item="7"),
    Kpi("Write Off (count)", "portfolio_write_off_count", "write_offs", item="8"),
    _rate(
        "Default Rate",
        "portfolio_default_rate",
        "default_rate_numerator",
        "active_portfolio_previous_month_end",
        2,
        "9",
    ),
    _rate(
        "Churn Rate",
        "portfolio_churn_rate",
        "churns",
        "contracted_portfolio_previous_month_end",
        2,
        "10",
    ),
    _rate(
        "Churn Rate (90 days)",
        "portfolio_churn_rate_90_days",
        "churns_last_90_days",
        "contracted_portfolio_90_days_ago",
        2,
        "11",
    ),
    _rate(
        "Write Off Rate",
        "portfolio_write_off_rate",
        "write_offs",
        "contracted_portfolio_previous_month_end",
        2,
        "12",
    ),
    _rate(
        "Repo Rate",
        "portfolio_repo_rate",
        "repossessions",
        "contracted_portfolio_previous_month_end",
        2,
        "13",
    ),
    Kpi("Completions (count)", "portfolio_completions", "completions", item="14"),
    Kpi("Opt Outs (count)", "portfolio_opt_outs", "opt_outs", item="15"),
    Kpi("Uncompletions (count)", "portfolio_uncompletions", "uncompletions", item="16"),
    _rate(
        "Completion Rate",
        "portfolio_completion_rate",
        "completions",
        "contracted_portfolio_previous_month_end",
        2,
        "17",
    ),
    _rate(
        "Opt Out Rate",
        "portfolio_opt_out_rate",
        "opt_outs",
        "contracted_portfolio_previous_month_end",
        2,
        "18",
    ),
    _rate(
        "Uncompletions Rate",
        "portfolio_uncompletion_rate",
        "uncompletions",
        "contracted_portfolio_previous_month_end",
        2,
        "19",
    ),
    Kpi("Net Completions (count)", "portfolio_net_completions", "net_completions", item="20"),
    _rate(
        "Net Completion Rate",
        "portfolio_net_completion_rate",
        "net_completions",
        "contracted_portfolio_previous_month_end",
        2,
        "21",
    ),
    _rate(
        "Net Completion Rate (30 days)",
        "portfolio_net_completion_rate_30_days",
        "net_completions_last_30_days",
        "contracted_portfolio_30_days_ago",
        2,
        "22",
    ),
    _rate(
        "% DP only Defaulters",
        "portfolio_dp_only_defaulters_pct",
        "dp_only_defaulters",
        "defaulters",
        1,
        "23",
    ),
    _rate(
        "PAR-30 Rate (count)",
        "portfolio_par_30_rate",
        "par_30_accounts",
        "contracted_portfolio_size",
        1,
        "24",
    ),
    _rate(
        "PAR-60 Rate (count)",
        "portfolio_par_60_rate",
        "par_60_accounts",
        "contracted_portfolio_size",
        1,
        "24",
    ),
    _rate(
        "PAR-90 Rate (count)",
        "portfolio_par_90_rate",
        "par_90_accounts",
        "contracted_portfolio_size",
        1,
        "24",
    ),
    _rate(
        "PAR-120 Rate (count)",
        "portfolio_par_120_rate",
        "par_120_accounts",
        "contracted_portfolio_size",
        1,
        "24",
    ),
    _rate(
        "PAR-30 Rate (balance)",
        "portfolio_par_30_balance_rate",
        "par_30_balance",
        "outstanding_balance",
        1,
        "24",
    ),
    _rate(
        "PAR-60 Rate (balance)",
        "portfolio_par_60_balance_rate",
        "par_60_balance",
        "outstanding_balance",
        1,
        "24",
    ),
    _rate(
        "PAR-90 Rate (balance)",
        "portfolio_par_90_balance_rate",
        "par_90_balance",
        "outstanding_balance",
        1,
        "24",
    ),
    _rate(
        "PAR-120 Rate (balance)",
        "portfolio_par_120_balance_rate",
        "par_120_balance",
        "outstanding_balance",
        1,
        "24",
    ),
    Kpi(
        "Outstanding balance",
        "portfolio_outstanding_balance",
        "outstanding_balance",
        kind="money",
        item="24",
    ),
    _rate("Collection rate", "portfolio_collection_rate", "amount_paid", "amount_due", 1),
)
KPI_BY_LABEL = {k.label: k for k in KPIS}

# The columns summed by the monthly KPI query: every numerator and denominator above.
SUMMED = tuple(
    dict.fromkeys(
        column for k in KPIS for column in (k.numerator, k.denominator) if column is not None
    )
)

# The Portfolio Category hierarchy (002, item 28), in the report's order; the Pre-Portfolio is
# not shown on the dashboard (002).
LEVELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Level 1": (
        "portfolio_level_1",
        ("Contracted Portfolio", "Uncontracted Portfolio"),
    ),
    "Level 2": (
        "portfolio_level_2",
        ("Active Portfolio", "Defaulted Portfolio", "Churned", "Paid", "Inactive/Void"),
    ),
    "Level 3": (
        "portfolio_level_3",
        (
            "New",
            "Normal",
            "Late",
            "Defaulted",
            "Repossessed",
            "Lost/Written Off",
            "Finished",
            "Upfront",
            "Other",
        ),
    ),
    "Category": (
        "portfolio_category",
        (
            "New",
            "Normal",
            "Late",
            "Defaulted",
            "Repossessed",
            "Lost/Written Off",
            "Completed",
            "Opted Out",
            "Upfront",
            "Other",
        ),
    ),
}
PAR_BUCKETS = ("Normal", "1-7", "8-30", "31-60", "61-90", "91-120", "Over 120")


def previous_month(month: dt.date) -> dt.date:
    return (pd.Timestamp(month) - pd.DateOffset(months=1)).date()


def _where(filters: Filters, allowed: Sequence[str], params: dict) -> str:
    """`and <column> in @<key>` for each slicer with a selection (none selected = all)."""
    clauses = []
    for key in allowed:
        values = list(filters.get(key) or [])
        if values:
            slicer = SLICER_BY_KEY[key]
            params[key] = in_list(values)
            clauses.append(f"and {slicer.column} in @{key}")
    return "\n          ".join(clauses)


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Date columns as datetime.date (DuckDB gives datetime64, BigQuery's client dbdate)."""
    for column in columns:
        frame[column] = [pd.Timestamp(value).date() for value in frame[column]]
    return frame


def _numbers(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Sums as float64 (DuckDB HUGEINT/DECIMAL, BigQuery NUMERIC all arrive as numbers)."""
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def months(reader: Reader) -> list[dt.date]:
    """The activity months of the portfolio report (the month-range filter's options)."""
    frame = reader.query(
        f"""
        select distinct activity_month
        from {MONTHLY}
        order by activity_month
        """
    )
    frame = require_rows(frame, MONTHLY)
    return list(_dates(frame, "activity_month")["activity_month"])


def slicer_options(reader: Reader) -> dict[str, list[str]]:
    """The values of every slicer, read from the mart (one query)."""
    selects = "\n        union all\n        ".join(
        f"select distinct '{s.key}' as slicer, {s.column} as value from {MONTHLY} "
        f"where {s.column} is not null"
        for s in SLICERS
    )
    frame = reader.query(selects)
    options: dict[str, list[str]] = {s.key: [] for s in SLICERS}
    for slicer, value in zip(frame["slicer"], frame["value"], strict=True):
        options[slicer].append(str(value))
    return {key: sorted(values) for key, values in options.items()}


def kpis_by_month(
    reader: Reader, start: dt.date, end: dt.date, filters: Filters | None = None
) -> pd.DataFrame:
    """One row per month of [start, end]: the summed numerators/denominators over the slice, then
    every KPI of KPIS (column = its label), ratios divided after summing."""
    params: dict = {"start_month": start, "end_month": end}
    where = _where(filters or {}, [s.key for s in SLICERS], params)
    sums = ",\n            ".join(f"sum({c}) as {c}" for c in SUMMED)
    frame = reader.query(
        f"""
        select
            activity_month,
            {sums}
        from {MONTHLY}
        where activity_month between @start_month and @end_month
          {where}
        group by activity_month
        order by activity_month
        """,
        params,
    )
    frame = _numbers(_dates(frame, "activity_month"), SUMMED)
    result = frame[["activity_month"]].copy()
    for kpi in KPIS:
        numerator = frame[kpi.numerator]
        if kpi.is_ratio:
            denominator = frame[kpi.denominator]
            result[kpi.label] = (numerator / denominator.where(denominator != 0)).astype("float64")
        else:
            result[kpi.label] = numerator
    return result


def categories_by_month(
    reader: Reader, start: dt.date, end: dt.date, level: str, filters: Filters | None = None
) -> pd.DataFrame:
    """Accounts by Portfolio Category at the chosen level, per month-end (Pre-Portfolio left out).

    Columns: activity_month, category, accounts.
    """
    column, _ = LEVELS[level]
    params: dict = {"start_month": start, "end_month": end}
    where = _where(filters or {}, [s.key for s in SLICERS], params)
    frame = reader.query(
        f"""
        select
            activity_month,
            {column} as category,
            count(*) as accounts
        from {ACCOUNT_MONTHLY}
        where activity_month between @start_month and @end_month
          and portfolio_level_1 <> 'Pre-Portfolio'
          {where}
        group by activity_month, {column}
        order by activity_month, {column}
        """,
        params,
    )
    frame = _numbers(_dates(frame, "activity_month"), ["accounts"])
    frame["accounts"] = frame["accounts"].astype("int64")
    return frame


def par_buckets(reader: Reader, month: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """The Contracted Portfolio at one month-end by Portfolio at Risk bucket: accounts and
    outstanding balance. Columns: par_bucket, accounts, outstanding_balance."""
    params: dict = {"snapshot_month": month}
    where = _where(filters or {}, [s.key for s in SLICERS], params)
    frame = reader.query(
        f"""
        select
            par_bucket,
            sum(is_contracted) as accounts,
            sum(outstanding_balance) as outstanding_balance
        from {ACCOUNT_MONTHLY}
        where activity_month = @snapshot_month
          and is_contracted = 1
          {where}
        group by par_bucket
        """,
        params,
    )
    frame = _numbers(frame, ["accounts", "outstanding_balance"])
    order = {bucket: i for i, bucket in enumerate(PAR_BUCKETS)}
    frame["order"] = frame["par_bucket"].map(order)
    return frame.sort_values("order").drop(columns="order").reset_index(drop=True)


def _cohorts(
    reader: Reader,
    relation: str,
    numerator: str,
    denominator: str | None,
    end: dt.date,
    filters: Filters | None,
) -> pd.DataFrame:
    params: dict = {"end_month": end}
    where = _where(filters or {}, COHORT_SLICERS, params)
    denominator_sum = f"sum({denominator})" if denominator else "sum(cohort_size)"
    frame = reader.query(
        f"""
        select
            cohort_month,
            months_since_installation,
            sum(cohort_size) as cohort_size,
            sum({numerator}) as numerator,
            {denominator_sum} as denominator
        from {relation}
        where activity_month <= @end_month
          {where}
        group by cohort_month, months_since_installation
        order by cohort_month, months_since_installation
        """,
        params,
    )
    frame = _numbers(_dates(frame, "cohort_month"), ["cohort_size", "numerator", "denominator"])
    frame["months_since_installation"] = frame["months_since_installation"].astype("int64")
    frame["rate"] = frame["numerator"] / frame["denominator"].where(frame["denominator"] != 0)
    return frame


def default_cohorts(reader: Reader, end: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """Portfolio in Default (Cohorts), 002 item 26: per cohort month and months since installation,
    defaulted / accounts not churned, both summed over the chosen opcos; cells up to `end`.

    Columns: cohort_month, months_since_installation, cohort_size, numerator (defaulted),
    denominator (not churned), rate.
    """
    return _cohorts(
        reader, DEFAULT_COHORTS, "defaulted_accounts", "accounts_not_churned", end, filters
    )


def churn_cohorts(reader: Reader, end: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """Churn cohorts: churned at the month-end / original cohort size, summed over the opcos.

    Columns as default_cohorts (numerator = churned, denominator = cohort size).
    """
    return _cohorts(reader, CHURN_COHORTS, "churned_accounts", None, end, filters)


def notifications(
    reader: Reader, start: dt.date, end: dt.date, filters: Filters | None = None
) -> pd.DataFrame:
    """Notifications (count), 002 item 25, by month sent, campaign, notification name and delivery
    state (items 37, 38, 40), for the opco/shop/CU type/subsidy slicers the mart carries.

    Columns: sent_month, campaign_name, notification_name, delivery_state, notifications.
    """
    params: dict = {"start_month": start, "end_month": end}
    where = _where(filters or {}, NOTIFICATION_SLICERS, params)
    frame = reader.query(
        f"""
        select
            sent_month,
            campaign_name,
            notification_name,
            coalesce(delivery_state, 'Unknown') as delivery_state,
            count(*) as notifications
        from {NOTIFICATIONS}
        where sent_month between @start_month and @end_month
          {where}
        group by sent_month, campaign_name, notification_name, coalesce(delivery_state, 'Unknown')
        order by sent_month, campaign_name, notification_name, delivery_state
        """,
        params,
    )
    frame = _numbers(_dates(frame, "sent_month"), ["notifications"])
    frame["notifications"] = frame["notifications"].astype("int64")
    return frame
