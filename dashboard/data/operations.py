"""The operations report (000): its 17 queries, answered over the operations marts.

Each query is the portable twin of its dbt analysis (`analyses/operations_000_NN_*.sql`, proved
equal to 000's original by tests/python/test_parity_000.py): the same mart, columns, filters and
order, with the "last 30 days" (or 7) window as two date parameters computed in Python from the
window's last day, never with an engine date function:

- `@window_start`: the window's first day, `window_end - 29` (or `- 6`), inclusive, as the
  analyses' `>= add_days(as_of_date, -29)`;
- `@window_before`: the day after the window's last day, exclusive. At the as-of date the window
  is open-ended, as 000's `>= CURRENT_TIMESTAMP() - 30 days` and the analyses are: any later day
  the marts hold counts too (`OPEN_END`).

Queries 15 to 17 (digital journeys) also take the page's channel and KPI filters; with every
channel and every KPI selected they filter nothing. Ties on 000's sort columns are broken by the
group columns, so the order is stable on both engines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from dashboard.data import Reader, WarehouseUnavailable, in_list

OPEN_END = dt.date(9999, 12, 31)

SMART_METERING = "Smart Metering Performance"
METER_READING = "Meter Reading Operations"
BILLING = "Billing Operations"
DIGITAL = "Digital Journey Performance"
GROUPS = (SMART_METERING, METER_READING, BILLING, DIGITAL)

MARTS = (
    "fct_operations_bookings_daily",
    "fct_operations_booking_outcomes_daily",
    "fct_operations_meter_readings_daily",
    "fct_operations_meter_reads_daily",
    "fct_operations_bills_daily",
    "fct_operations_bill_deliveries",
    "fct_operations_bill_periods_daily",
    "fct_operations_digital_journeys_daily",
)

WINDOW = "{date} >= @window_start and {date} < @window_before"
JOURNEY_FILTERS = "(@all_channels or channel in @channels) and (@all_kpis or kpi_name in @kpis)"


@dataclass(frozen=True)
class Query:
    """One query of 000: where its answer comes from and how it is windowed."""

    number: str
    group: str
    title: str
    mart: str
    sql: str
    # output column -> the mart column that defines it (for the definitions beside the table)
    columns: dict[str, str]
    # 30 or 7: "last N days" ending on the window end; None: every day in the mart (current)
    window_days: int | None = None
    # the channel and KPI filters apply (digital journeys)
    journey: bool = False
    # output columns holding counts (shown as whole numbers)
    counts: tuple[str, ...] = field(default=())


QUERIES: tuple[Query, ...] = (
    Query(
        "01",
        SMART_METERING,
        "Smart meter bookings by status",
        "fct_operations_bookings_daily",
        """
        select aes_status, sum(bookings) as bookings
        from marts.fct_operations_bookings_daily
        group by aes_status
        order by bookings desc, aes_status
        """,
        {"aes_status": "aes_status", "bookings": "bookings"},
        counts=("bookings",),
    ),
    Query(
        "02",
        SMART_METERING,
        "Smart meter installs over time",
        "fct_operations_booking_outcomes_daily",
        f"""
        select outcome_date as install_date, sum(bookings) as installs
        from marts.fct_operations_booking_outcomes_daily
        where outcome = 'installed' and {WINDOW.format(date="outcome_date")}
        group by outcome_date
        order by install_date desc
        """,
        {"install_date": "outcome_date", "installs": "bookings"},
        window_days=30,
        counts=("installs",),
    ),
    Query(
        "03",
        SMART_METERING,
        "Smart meter bookings by fuel type",
        "fct_operations_bookings_daily",
        """
        select fuel_type, installation_type, sum(bookings) as bookings
        from marts.fct_operations_bookings_daily
        group by fuel_type, installation_type
        order by bookings desc, fuel_type, installation_type
        """,
        {
            "fuel_type": "fuel_type",
            "installation_type": "installation_type",
            "bookings": "bookings",
        },
        counts=("bookings",),
    ),
    Query(
        "04",
        SMART_METERING,
        "Failed smart meter installations",
        "fct_operations_booking_outcomes_daily",
        """
        select outcome_reason as failure_reason, sum(bookings) as failed_installs
        from marts.fct_operations_booking_outcomes_daily
        where outcome = 'failed'
        group by outcome_reason
        order by failed_installs desc, failure_reason
        """,
        {"failure_reason": "outcome_reason", "failed_installs": "bookings"},
        counts=("failed_installs",),
    ),
    Query(
        "05",
        SMART_METERING,
        "Cancelled bookings by reason",
        "fct_operations_booking_outcomes_daily",
        """
        select outcome_reason as cancel_reason, sum(bookings) as cancelled
        from marts.fct_operations_booking_outcomes_daily
        where outcome = 'cancelled'
        group by outcome_reason
        order by cancelled desc, cancel_reason
        """,
        {"cancel_reason": "outcome_reason", "cancelled": "bookings"},
        counts=("cancelled",),
    ),
    Query(
        "06",
        SMART_METERING,
        "Smart meter bookings by source",
        "fct_operations_bookings_daily",
        f"""
        select booking_source, sum(bookings) as bookings
        from marts.fct_operations_bookings_daily
        where {WINDOW.format(date="booking_date")}
        group by booking_source
        order by bookings desc, booking_source
        """,
        {"booking_source": "booking_source", "bookings": "bookings"},
        window_days=30,
        counts=("bookings",),
    ),
    Query(
        "07",
        METER_READING,
        "Meter readings by source",
        "fct_operations_meter_readings_daily",
        f"""
        select reading_source, sum(readings) as readings
        from marts.fct_operations_meter_readings_daily
        where {WINDOW.format(date="received_date")}
        group by reading_source
        order by readings desc, reading_source
        """,
        {"reading_source": "reading_source", "readings": "readings"},
        window_days=30,
        counts=("readings",),
    ),
    Query(
        "08",
        METER_READING,
        "Meter reading submission status",
        "fct_operations_meter_readings_daily",
        """
        select reading_status as status, workflow_status, sum(readings) as readings
        from marts.fct_operations_meter_readings_daily
        group by reading_status, workflow_status
        order by readings desc, status, workflow_status
        """,
        {"status": "reading_status", "workflow_status": "workflow_status", "readings": "readings"},
        counts=("readings",),
    ),
    Query(
        "09",
        METER_READING,
        "Meter reads by read source (Junifer model)",
        "fct_operations_meter_reads_daily",
        f"""
        select read_source, sum(reads) as reads, sum(consumption_kwh) as total_consumption
        from marts.fct_operations_meter_reads_daily
        where {WINDOW.format(date="read_date")}
        group by read_source
        order by reads desc, read_source
        """,
        {"read_source": "read_source", "reads": "reads", "total_consumption": "consumption_kwh"},
        window_days=30,
        counts=("reads",),
    ),
    Query(
        "10",
        METER_READING,
        "Daily meter reading submissions",
        "fct_operations_meter_readings_daily",
        f"""
        select received_date as submission_date, reading_source, sum(readings) as submissions
        from marts.fct_operations_meter_readings_daily
        where {WINDOW.format(date="received_date")}
        group by received_date, reading_source
        order by submission_date desc, submissions desc, reading_source
        """,
        {
            "submission_date": "received_date",
            "reading_source": "reading_source",
            "submissions": "readings",
        },
        window_days=7,
        counts=("submissions",),
    ),
    Query(
        "11",
        BILLING,
        "Bills generated over time",
        "fct_operations_bills_daily",
        f"""
        select
            bill_created_date as bill_date,
            sum(bills) as bills_generated,
            sum(gross_amount_gbp) as total_billed
        from marts.fct_operations_bills_daily
        where bill_status = 'ACCEPTED' and {WINDOW.format(date="bill_created_date")}
        group by bill_created_date
        order by bill_date desc
        """,
        {
            "bill_date": "bill_created_date",
            "bills_generated": "bills",
            "total_billed": "gross_amount_gbp",
        },
        window_days=30,
        counts=("bills_generated",),
    ),
    Query(
        "12",
        BILLING,
        "Bills by status",
        "fct_operations_bills_daily",
        f"""
        select
            bill_status as status,
            sum(bills) as bill_count,
            sum(gross_amount_gbp) as total_amount
        from marts.fct_operations_bills_daily
        where {WINDOW.format(date="bill_created_date")}
        group by bill_status
        order by bill_count desc, status
        """,
        {"status": "bill_status", "bill_count": "bills", "total_amount": "gross_amount_gbp"},
        window_days=30,
        counts=("bill_count",),
    ),
    Query(
        "13",
        BILLING,
        "Bill delivery method breakdown",
        "fct_operations_bill_deliveries",
        """
        select bill_delivery_method, delivery_accounts
        from marts.fct_operations_bill_deliveries
        where is_latest_report_period
        order by delivery_accounts desc, bill_delivery_method
        """,
        {"bill_delivery_method": "bill_delivery_method", "delivery_accounts": "delivery_accounts"},
        counts=("delivery_accounts",),
    ),
    Query(
        "14",
        BILLING,
        "Billing period status",
        "fct_operations_bill_periods_daily",
        """
        select status_code, sum(bill_periods) as periods
        from marts.fct_operations_bill_periods_daily
        group by status_code
        order by periods desc, status_code
        """,
        {"status_code": "status_code", "periods": "bill_periods"},
        counts=("periods",),
    ),
    Query(
        "15",
        DIGITAL,
        "Journey KPIs overview",
        "fct_operations_digital_journeys_daily",
        f"""
        select
            kpi_name,
            channel,
            sum(attempts) as events,
            sum(successes) as successes,
            round(sum(successes) * 100.0 / nullif(sum(attempts), 0), 2) as success_rate
        from marts.fct_operations_digital_journeys_daily
        where {WINDOW.format(date="created_date")} and {JOURNEY_FILTERS}
        group by kpi_name, channel
        order by kpi_name, channel
        """,
        {
            "kpi_name": "kpi_name",
            "channel": "channel",
            "events": "attempts",
            "successes": "successes",
            "success_rate": "success_rate_pct",
        },
        window_days=30,
        journey=True,
        counts=("events", "successes"),
    ),
    Query(
        "16",
        DIGITAL,
        "Daily journey performance",
        "fct_operations_digital_journeys_daily",
        f"""
        select
            created_date,
            kpi_name,
            channel,
            sum(attempts) as attempts,
            sum(successes) as successes
        from marts.fct_operations_digital_journeys_daily
        where {WINDOW.format(date="created_date")} and {JOURNEY_FILTERS}
        group by created_date, kpi_name, channel
        order by created_date desc, kpi_name asc, channel
        """,
        {
            "created_date": "created_date",
            "kpi_name": "kpi_name",
            "channel": "channel",
            "attempts": "attempts",
            "successes": "successes",
        },
        window_days=7,
        journey=True,
        counts=("attempts", "successes"),
    ),
    Query(
        "17",
        DIGITAL,
        "Journey success by database source",
        "fct_operations_digital_journeys_daily",
        f"""
        select db_source, kpi_name, sum(attempts) as total, sum(successes) as successes
        from marts.fct_operations_digital_journeys_daily
        where {WINDOW.format(date="created_date")} and {JOURNEY_FILTERS}
        group by db_source, kpi_name
        order by db_source asc, total desc, kpi_name
        """,
        {
            "db_source": "db_source",
            "kpi_name": "kpi_name",
            "total": "attempts",
            "successes": "successes",
        },
        window_days=30,
        journey=True,
        counts=("total", "successes"),
    ),
)

BY_NUMBER = {q.number: q for q in QUERIES}
AMOUNTS = ("total_consumption", "total_billed", "total_amount", "success_rate")


@dataclass(frozen=True)
class Filters:
    """The page's filters: the window's last day and the journeys' channels and KPIs."""

    as_of_date: dt.date
    window_end: dt.date
    channels: Sequence[str] | None = None  # None: every channel
    kpis: Sequence[str] | None = None  # None: every KPI


def window(as_of_date: dt.date, window_end: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """(first day, exclusive end) of the `days`-day window ending on `window_end`.

    Ending on (or after) the as-of date, the window is open-ended like 000's and the analyses'.
    """
    start = window_end - dt.timedelta(days=days - 1)
    before = OPEN_END if window_end >= as_of_date else window_end + dt.timedelta(days=1)
    return start, before


def parameters(query: Query, filters: Filters) -> dict:
    params: dict = {}
    if query.window_days:
        start, before = window(filters.as_of_date, filters.window_end, query.window_days)
        params.update(window_start=start, window_before=before)
    if query.journey:
        params.update(
            all_channels=filters.channels is None,
            channels=in_list(filters.channels or []),
            all_kpis=filters.kpis is None,
            kpis=in_list(filters.kpis or []),
        )
    return params


def answer(reader: Reader, query: Query, filters: Filters) -> pd.DataFrame:
    """The answer to one query of 000 (a few dozen rows at most: aggregated in the engine)."""
    frame = reader.query(query.sql, parameters(query, filters))
    for column in query.counts:
        frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
    for column in frame.columns:
        if column.endswith("_date"):
            frame[column] = pd.to_datetime(frame[column]).dt.date
        elif column in AMOUNTS:
            # NUMERIC sums arrive as Decimal on BigQuery, as float on DuckDB: floats on both
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame.reset_index(drop=True)


def empty_marts(reader: Reader) -> list[str]:
    """The operations marts that hold no row (one query over all eight)."""
    sql = " union all ".join(
        f"select '{mart}' as mart, count(*) as row_count from marts.{mart}" for mart in MARTS
    )
    counts = reader.query(sql)
    return sorted(counts.loc[counts["row_count"] == 0, "mart"])


def require_marts(reader: Reader) -> None:
    """Every mart of the report must have rows: one message naming the empty ones."""
    empty = empty_marts(reader)
    if empty:
        names = ", ".join(f"marts.{m}" for m in empty)
        raise WarehouseUnavailable(
            f"The operations report cannot be answered: {names} "
            f"{'is' if len(empty) == 1 else 'are'} empty, the warehouse holds no data for "
            f"{'it' if len(empty) == 1 else 'them'}.",
            "Check that the raw data was loaded, then run `make build`.",
        )


def journey_options(reader: Reader) -> tuple[list[str], list[str]]:
    """The channels and the KPIs of the digital journeys mart, for the filters."""
    frame = reader.query(
        """
        select distinct channel, kpi_name
        from marts.fct_operations_digital_journeys_daily
        """
    )
    channels = sorted(frame["channel"].dropna().unique().tolist())
    kpis = sorted(frame["kpi_name"].dropna().unique().tolist())
    return channels, kpis
