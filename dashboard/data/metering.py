"""Every query of the metering dashboard (001), in SQL that DuckDB and BigQuery both run.

The page reads the marts of the exposure `smart_metering_dashboard` only. Months are the marts'
month columns (first days of months), compared with date parameters; regions are a list
parameter (`region in @regions`). Everything is filtered, aggregated and limited in the engine:
pandas only gets the small result to shape (a month x region grid at most, or a drill-down page
of `limit` rows with its untruncated count and total beside it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.data import Reader, in_list, require_rows

OVERVIEW = "marts.fct_metering_overview_monthly"
DRILL_LIMIT = 200


@dataclass(frozen=True)
class Drill:
    """A drill-down table: at most `limit` rows, and the untruncated totals of the whole slice."""

    rows: pd.DataFrame
    totals: pd.Series


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _shape(
    frame: pd.DataFrame, months: Sequence[str] = (), texts: Sequence[str] = ()
) -> pd.DataFrame:
    """Month columns as `datetime.date`, text columns as str, every other column as a float.

    DuckDB and BigQuery return different types (DECIMAL/HUGEINT as float or Decimal, DATE as
    datetime64 or dbdate): the page sees one shape whichever engine answered.
    """
    frame = frame.copy()
    for column in frame.columns:
        if column in months:
            frame[column] = pd.to_datetime(frame[column]).dt.date
        elif column in texts:
            frame[column] = frame[column].astype("string")
        elif frame[column].dtype == object or pd.api.types.is_numeric_dtype(frame[column]):
            if frame[column].dtype == bool:
                continue
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _query(reader: Reader, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run a query; `@limit` becomes the integer literal itself (a LIMIT takes no parameter on
    every engine), so the engine returns at most that many rows."""
    params = dict(params or {})
    if "limit" in params:
        sql = sql.replace("@limit", str(int(params.pop("limit"))))
    return reader.query(sql, params)


def _window(first: dt.date, last: dt.date, regions: Sequence[str]) -> dict:
    return {"first": first, "last": last, "regions": in_list(regions)}


# --- filters ---------------------------------------------------------------------------------


def months(reader: Reader) -> list[dt.date]:
    """The months the overview mart covers (the options of the date filter)."""
    frame = _query(
        reader, f"select distinct overview_month as month from {OVERVIEW} order by overview_month"
    )
    return list(_shape(require_rows(frame, OVERVIEW), months=["month"])["month"])


def regions(reader: Reader) -> list[str]:
    frame = _query(
        reader, f"select distinct region from {OVERVIEW} where region is not null order by region"
    )
    return [str(r) for r in require_rows(frame, OVERVIEW)["region"]]


# --- overview ----------------------------------------------------------------------------------


def overview_by_month(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str]
) -> pd.DataFrame:
    """Customers in supply, consumption, revenue and meters per month over the selected regions."""
    frame = _query(
        reader,
        f"""
        select
            overview_month as month,
            sum(customers_in_supply) as customers_in_supply,
            sum(consumption_kwh) as consumption_kwh,
            sum(revenue_gbp) as revenue_gbp,
            sum(meters_in_service) as meters_in_service,
            sum(meters_inactive) as meters_inactive
        from {OVERVIEW}
        where overview_month between @first and @last and region in @regions
        group by overview_month
        order by overview_month
        """,
        _window(first, last, regions),
    )
    return _shape(frame, months=["month"])


def overview_by_region(reader: Reader, month: dt.date, regions: Sequence[str]) -> pd.DataFrame:
    """The overview figures of one month, per region."""
    frame = _query(
        reader,
        f"""
        select
            region,
            customers_in_supply,
            consumption_kwh,
            revenue_gbp,
            meters_in_service,
            meters_inactive
        from {OVERVIEW}
        where overview_month = @month and region in @regions
        order by region
        """,
        {"month": month, "regions": in_list(regions)},
    )
    return _shape(frame, texts=["region"])


# --- consumption -------------------------------------------------------------------------------


def consumption_by_month_region(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str]
) -> pd.DataFrame:
    """Consumption (kWh) per read month, region and fuel type."""
    frame = _query(
        reader,
        """
        select
            read_month as month,
            region,
            fuel_type,
            sum(consumption_kwh) as consumption_kwh,
            sum(reads) as reads
        from marts.fct_metering_consumption_monthly
        where read_month between @first and @last and region in @regions
        group by read_month, region, fuel_type
        order by read_month, region, fuel_type
        """,
        _window(first, last, regions),
    )
    return _shape(frame, months=["month"], texts=["region", "fuel_type"])


def top_consumers(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str], limit: int = 10
) -> pd.DataFrame:
    """The customers with the highest consumption over the window (per customer and region)."""
    frame = _query(
        reader,
        """
        select
            customer_id,
            region,
            sum(consumption_kwh) as consumption_kwh,
            sum(reads) as reads,
            count(*) as months_read
        from marts.fct_metering_customer_consumption_monthly
        where read_month between @first and @last and region in @regions
        group by customer_id, region
        order by consumption_kwh desc, customer_id, region
        limit @limit
        """,
        {**_window(first, last, regions), "limit": int(limit)},
    )
    return _shape(frame, texts=["region"]).astype({"customer_id": "Int64"})


# --- meter performance -------------------------------------------------------------------------


def meter_snapshot(reader: Reader, regions: Sequence[str]) -> pd.DataFrame:
    """Meters now (the as-of date) per region, status and health, with the faulty ones."""
    frame = _query(
        reader,
        """
        select
            region,
            meter_status,
            health_status,
            count(*) as meters,
            sum(case when is_faulty then 1 else 0 end) as faulty_meters
        from marts.dim_metering_meters
        where region in @regions
        group by region, meter_status, health_status
        order by region, meter_status, health_status
        """,
        {"regions": in_list(regions)},
    )
    return _shape(frame, texts=["region", "meter_status", "health_status"])


def faulty_meters(reader: Reader, regions: Sequence[str], limit: int = DRILL_LIMIT) -> Drill:
    """The faulty meters, most faults in the last 90 days first."""
    params = {"regions": in_list(regions), "limit": int(limit)}
    rows = _query(
        reader,
        """
        select
            meter_id,
            region,
            fuel_type,
            meter_type,
            meter_status,
            health_status,
            faults_last_90_days,
            open_faults,
            faults_total,
            last_fault_date
        from marts.dim_metering_meters
        where is_faulty and region in @regions
        order by faults_last_90_days desc, open_faults desc, faults_total desc, meter_id
        limit @limit
        """,
        params,
    )
    totals = _query(
        reader,
        """
        select count(*) as meters
        from marts.dim_metering_meters
        where is_faulty and region in @regions
        """,
        params,
    )
    return Drill(
        _shape(
            rows,
            months=["last_fault_date"],
            texts=["region", "fuel_type", "meter_type", "meter_status", "health_status"],
        ),
        _shape(totals).iloc[0],
    )


def faults_by_month(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str]
) -> pd.DataFrame:
    frame = _query(
        reader,
        """
        select
            meter_month as month,
            sum(faults) as faults,
            sum(meters_with_faults) as meters_with_faults,
            sum(meters_installed) as meters_installed,
            sum(meters_removed) as meters_removed
        from marts.fct_metering_meters_monthly
        where meter_month between @first and @last and region in @regions
        group by meter_month
        order by meter_month
        """,
        _window(first, last, regions),
    )
    return _shape(frame, months=["month"])


def reading_time_by_month(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str]
) -> pd.DataFrame:
    """Readings received and the totals behind the average reading time, per month."""
    frame = _query(
        reader,
        """
        select
            received_month as month,
            sum(readings) as readings,
            sum(readings_with_latency) as readings_with_latency,
            sum(latency_minutes_total) as latency_minutes_total
        from marts.fct_metering_meter_readings_monthly
        where received_month between @first and @last and region in @regions
        group by received_month
        order by received_month
        """,
        _window(first, last, regions),
    )
    return _shape(frame, months=["month"])


# --- revenue -----------------------------------------------------------------------------------


def revenue_by_month_region(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str]
) -> pd.DataFrame:
    """Revenue and bills by payment status, per bill month and region."""
    frame = _query(
        reader,
        """
        select
            bill_month as month,
            region,
            sum(revenue_gbp) as revenue_gbp,
            sum(gross_revenue_gbp) as gross_revenue_gbp,
            sum(paid_amount_gbp) as paid_amount_gbp,
            sum(bills) as bills,
            sum(paid_bills) as paid_bills,
            sum(part_paid_bills) as part_paid_bills,
            sum(unpaid_bills) as unpaid_bills
        from marts.fct_metering_revenue_monthly
        where bill_month between @first and @last and region in @regions
        group by bill_month, region
        order by bill_month, region
        """,
        _window(first, last, regions),
    )
    return _shape(frame, months=["month"], texts=["region"])


# --- customers ---------------------------------------------------------------------------------


def customers_by_month(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str]
) -> pd.DataFrame:
    frame = _query(
        reader,
        """
        select
            supply_month as month,
            sum(customers_in_supply) as customers_in_supply,
            sum(new_customers) as new_customers,
            sum(returning_customers) as returning_customers
        from marts.fct_metering_customers_monthly
        where supply_month between @first and @last and region in @regions
        group by supply_month
        order by supply_month
        """,
        _window(first, last, regions),
    )
    return _shape(frame, months=["month"])


def feedback_by_month(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str]
) -> pd.DataFrame:
    """Survey responses, the total behind the satisfaction score and complaints, per month."""
    frame = _query(
        reader,
        """
        select
            feedback_month as month,
            sum(survey_responses) as survey_responses,
            sum(satisfaction_score_total) as satisfaction_score_total,
            sum(complaints_received) as complaints_received,
            sum(complaints_resolved) as complaints_resolved
        from marts.fct_metering_customer_feedback_monthly
        where feedback_month between @first and @last and region in @regions
        group by feedback_month
        order by feedback_month
        """,
        _window(first, last, regions),
    )
    return _shape(frame, months=["month"])


# --- operations --------------------------------------------------------------------------------


def operations_by_month(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str]
) -> pd.DataFrame:
    """Installations with the totals behind their averages, and maintenance requests, per month."""
    frame = _query(
        reader,
        """
        select
            activity_month as month,
            sum(installs) as installs,
            sum(installs_timed) as installs_timed,
            sum(days_booking_to_install_total) as days_booking_to_install_total,
            sum(install_visits_timed) as install_visits_timed,
            sum(minutes_on_site_total) as minutes_on_site_total,
            sum(maintenance_requests_received) as maintenance_requests_received,
            sum(maintenance_requests_processed) as maintenance_requests_processed
        from marts.fct_metering_operations_monthly
        where activity_month between @first and @last and region in @regions
        group by activity_month
        order by activity_month
        """,
        _window(first, last, regions),
    )
    return _shape(frame, months=["month"])


def technician_performance(
    reader: Reader, first: dt.date, last: dt.date, regions: Sequence[str], limit: int = DRILL_LIMIT
) -> pd.DataFrame:
    """Jobs completed per technician (id and region, never a name) over the window."""
    frame = _query(
        reader,
        """
        select
            technician_id,
            region,
            sum(install_visits) as install_visits,
            sum(installs_completed) as installs_completed,
            sum(maintenance_jobs_completed) as maintenance_jobs_completed,
            sum(jobs_completed) as jobs_completed,
            sum(minutes_on_site_total) as minutes_on_site_total,
            sum(hours_to_resolve_total) as hours_to_resolve_total
        from marts.fct_operations_technician_performance_monthly
        where activity_month between @first and @last and region in @regions
        group by technician_id, region
        order by jobs_completed desc, technician_id
        limit @limit
        """,
        {**_window(first, last, regions), "limit": int(limit)},
    )
    return _shape(frame, texts=["region"]).astype({"technician_id": "Int64"})


# --- drill-down: one region and one month ------------------------------------------------------


def _slice(region: str, month: dt.date, limit: int) -> dict:
    return {"region": region, "month": month, "month_end": month_end(month), "limit": int(limit)}


def drill_customers(reader: Reader, region: str, month: dt.date, limit: int = DRILL_LIMIT) -> Drill:
    """The customers read in the region and month, highest consumption first (no personal data)."""
    params = _slice(region, month, limit)
    rows = _query(
        reader,
        """
        select
            customer_id,
            region,
            consumption_kwh,
            export_kwh,
            reads,
            consumption_rank
        from marts.fct_metering_customer_consumption_monthly
        where read_month = @month and region = @region
        order by consumption_kwh desc, customer_id
        limit @limit
        """,
        params,
    )
    totals = _query(
        reader,
        """
        select count(*) as customers, sum(consumption_kwh) as consumption_kwh
        from marts.fct_metering_customer_consumption_monthly
        where read_month = @month and region = @region
        """,
        params,
    )
    rows = _shape(rows, texts=["region"]).astype({"customer_id": "Int64"})
    return Drill(rows, _shape(totals).iloc[0])


def drill_meters(reader: Reader, region: str, month: dt.date, limit: int = DRILL_LIMIT) -> Drill:
    """The meters installed by the month end in the region: in service then, or removed."""
    params = _slice(region, month, limit)
    in_service = "(removed_date is null or removed_date > @month_end)"
    rows = _query(
        reader,
        f"""
        select
            meter_id,
            fuel_type,
            meter_type,
            case when {in_service} then 'in service' else 'inactive' end as at_month_end,
            installed_date,
            removed_date,
            meter_status,
            health_status,
            faults_last_90_days,
            is_faulty
        from marts.dim_metering_meters
        where region = @region and installed_date <= @month_end
        order by is_faulty desc, faults_last_90_days desc, meter_id
        limit @limit
        """,
        params,
    )
    totals = _query(
        reader,
        f"""
        select
            count(*) as meters,
            sum(case when {in_service} then 1 else 0 end) as meters_in_service,
            sum(case when {in_service} then 0 else 1 end) as meters_inactive
        from marts.dim_metering_meters
        where region = @region and installed_date <= @month_end
        """,
        params,
    )
    rows = _shape(
        rows,
        months=["installed_date", "removed_date"],
        texts=["fuel_type", "meter_type", "at_month_end", "meter_status", "health_status"],
    ).astype({"meter_id": "Int64"})
    return Drill(rows, _shape(totals).fillna(0).iloc[0])


def drill_installs(reader: Reader, region: str, month: dt.date, limit: int = DRILL_LIMIT) -> Drill:
    params = _slice(region, month, limit)
    rows = _query(
        reader,
        """
        select
            booking_id,
            customer_id,
            technician_id,
            fuel_type,
            installation_type,
            booking_source,
            install_date,
            days_booking_to_install,
            minutes_on_site
        from marts.fct_operations_installs
        where install_month = @month and region = @region
        order by install_date, booking_id
        limit @limit
        """,
        params,
    )
    totals = _query(
        reader,
        """
        select
            count(*) as installs,
            count(days_booking_to_install) as installs_timed,
            sum(days_booking_to_install) as days_booking_to_install_total
        from marts.fct_operations_installs
        where install_month = @month and region = @region
        """,
        params,
    )
    rows = _shape(
        rows,
        months=["install_date"],
        texts=["fuel_type", "installation_type", "booking_source"],
    ).astype({"booking_id": "Int64", "customer_id": "Int64", "technician_id": "Int64"})
    return Drill(rows, _shape(totals).fillna(0).iloc[0])


def drill_maintenance(
    reader: Reader, region: str, month: dt.date, limit: int = DRILL_LIMIT
) -> Drill:
    """Maintenance requests received or processed (resolved) in the region and month."""
    params = _slice(region, month, limit)
    in_slice = (
        "region = @region and (requested_month = @month or (is_processed and resolved_month = "
        "@month))"
    )
    rows = _query(
        reader,
        f"""
        select
            maintenance_request_id,
            meter_id,
            technician_id,
            request_type,
            requested_date,
            resolved_date,
            is_processed,
            hours_to_resolve
        from marts.fct_operations_maintenance_requests
        where {in_slice}
        order by requested_date, maintenance_request_id
        limit @limit
        """,
        params,
    )
    totals = _query(
        reader,
        f"""
        select
            count(*) as requests,
            sum(case when requested_month = @month then 1 else 0 end) as received,
            sum(case when is_processed and resolved_month = @month then 1 else 0 end) as processed
        from marts.fct_operations_maintenance_requests
        where {in_slice}
        """,
        params,
    )
    rows = _shape(rows, months=["requested_date", "resolved_date"], texts=["request_type"]).astype(
        {"maintenance_request_id": "Int64", "meter_id": "Int64", "technician_id": "Int64"}
    )
    return Drill(rows, _shape(totals).fillna(0).iloc[0])


def drill_technicians(
    reader: Reader, region: str, month: dt.date, limit: int = DRILL_LIMIT
) -> Drill:
    """The region's technicians with a job in the month (id and region only)."""
    params = _slice(region, month, limit)
    rows = _query(
        reader,
        """
        select
            technician_id,
            install_visits,
            installs_completed,
            maintenance_jobs_completed,
            jobs_completed,
            minutes_on_site_total,
            hours_to_resolve_total
        from marts.fct_operations_technician_performance_monthly
        where activity_month = @month and region = @region
        order by jobs_completed desc, technician_id
        limit @limit
        """,
        params,
    )
    totals = _query(
        reader,
        """
        select count(*) as technicians, sum(jobs_completed) as jobs_completed
        from marts.fct_operations_technician_performance_monthly
        where activity_month = @month and region = @region
        """,
        params,
    )
    rows = _shape(rows).astype({"technician_id": "Int64"})
    return Drill(rows, _shape(totals).fillna(0).iloc[0])
