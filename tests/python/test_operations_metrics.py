"""The MetricFlow metrics of the operations and metering dashboard agree with the marts.

Each check queries metrics through the `mf` command on the built DuckDB warehouse and compares
them, slice by slice, with the numerators and denominators the marts hold. Rates are compared
as recomputed from summed numerators and denominators, never averaged.

`mf` reads the semantic manifest from `<project>/target/` and opens the warehouse for writing, so
the checks run in a scratch copy of the project (symlinks to its sources and a private target/)
against a copy of the warehouse file: they never touch the repository's target/ nor lock the
warehouse other tests read.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import MetricFlow, warehouse_path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def metricflow(tmp_path_factory):
    """A function running `mf query` with arguments and returning its rows as dicts
    (conftest.MetricFlow, on a copy of the warehouse)."""
    if not warehouse_path().exists():
        pytest.skip(f"warehouse {warehouse_path()} not built")
    return MetricFlow(tmp_path_factory.mktemp("metricflow")).query


@pytest.fixture()
def as_of(warehouse) -> str:
    return str(warehouse.sql("select as_of_date from utilities.util_as_of_date").fetchall()[0][0])


def number(value: str | None) -> float | None:
    return None if value in (None, "", "None") else float(value)


def assert_close(metric: dict, mart: dict, what: str) -> None:
    assert metric.keys() == mart.keys(), f"{what}: slices differ"
    assert metric, f"{what}: no slices to compare"
    for key, expected in mart.items():
        actual = metric[key]
        if expected is None or actual is None:
            assert expected is actual is None, f"{what} {key}: {actual} != {expected}"
        else:
            assert abs(actual - float(expected)) <= TOLERANCE * max(1.0, abs(float(expected))), (
                f"{what} {key}: metric {actual} != mart {expected}"
            )


def test_journey_success_rate_by_kpi_and_channel(metricflow, warehouse):
    rows = metricflow(
        "--metrics",
        "journey_success_rate,journey_attempts",
        "--group-by",
        "digital_journeys_daily__kpi_name,digital_journeys_daily__channel",
    )
    key = ("digital_journeys_daily__kpi_name", "digital_journeys_daily__channel")
    metric = {tuple(r[k] for k in key): number(r["journey_success_rate"]) for r in rows}
    mart = {
        (kpi, channel): successes / attempts
        for kpi, channel, successes, attempts in warehouse.sql(
            """
            select kpi_name, channel, sum(successes), sum(attempts)
            from marts.fct_operations_digital_journeys_daily
            group by kpi_name, channel
            """
        ).fetchall()
    }
    assert_close(metric, mart, "journey success rate")


def test_journey_success_rate_last_30_days_by_kpi(metricflow, warehouse, as_of):
    start = warehouse.sql(f"select cast('{as_of}' as date) - 29").fetchall()[0][0]
    rows = metricflow(
        "--metrics",
        "journey_success_rate",
        "--group-by",
        "digital_journeys_daily__kpi_name",
        "--start-time",
        str(start),
    )
    metric = {
        r["digital_journeys_daily__kpi_name"]: number(r["journey_success_rate"]) for r in rows
    }
    mart = {
        kpi: successes / attempts
        for kpi, successes, attempts in warehouse.sql(
            f"""
            select kpi_name, sum(successes), sum(attempts)
            from marts.fct_operations_digital_journeys_daily
            where created_date >= date '{start}'
            group by kpi_name
            """
        ).fetchall()
    }
    assert_close(metric, mart, "journey success rate, last 30 days")


def test_consumption_by_region_and_month(metricflow, warehouse, as_of):
    rows = metricflow(
        "--metrics",
        "consumption_kwh",
        "--group-by",
        "metric_time__month,region",
        "--end-time",
        as_of,
    )
    metric = {
        (r["metric_time__month"][:10], r["region"]): number(r["consumption_kwh"]) for r in rows
    }
    mart = {
        (str(month), region): consumption
        for month, region, consumption in warehouse.sql(
            """
            select read_month, region, sum(consumption_kwh)
            from marts.fct_metering_consumption_monthly
            group by read_month, region
            """
        ).fetchall()
    }
    assert_close(metric, mart, "consumption kWh")


def test_revenue_and_paid_bills_by_region_and_month(metricflow, warehouse):
    rows = metricflow(
        "--metrics", "revenue_gbp,unpaid_bills", "--group-by", "metric_time__month,region"
    )
    metric = defaultdict(dict)
    for r in rows:
        key = (r["metric_time__month"][:10], r["region"])
        metric["revenue"][key] = number(r["revenue_gbp"])
        metric["unpaid"][key] = number(r["unpaid_bills"])
    mart = defaultdict(dict)
    for month, region, revenue, unpaid in warehouse.sql(
        """
        select bill_month, region, revenue_gbp, part_paid_bills + unpaid_bills
        from marts.fct_metering_revenue_monthly
        """
    ).fetchall():
        mart["revenue"][(str(month), region)] = revenue
        mart["unpaid"][(str(month), region)] = unpaid
    assert_close(metric["revenue"], mart["revenue"], "revenue")
    assert_close(metric["unpaid"], mart["unpaid"], "unpaid bills")


def test_average_satisfaction_by_month(metricflow, warehouse):
    rows = metricflow("--metrics", "average_satisfaction_score", "--group-by", "metric_time__month")
    metric = {r["metric_time__month"][:10]: number(r["average_satisfaction_score"]) for r in rows}
    mart = {
        str(month): (total / responses if responses else None)
        for month, total, responses in warehouse.sql(
            """
            select feedback_month, sum(satisfaction_score_total), sum(survey_responses)
            from marts.fct_metering_customer_feedback_monthly
            group by feedback_month
            """
        ).fetchall()
    }
    assert_close(metric, mart, "average satisfaction")


def test_total_customers_is_not_summed_over_months(metricflow, warehouse):
    """Over a window, total customers is the last month's count, per region."""
    rows = metricflow("--metrics", "total_customers", "--group-by", "region")
    metric = {r["region"]: number(r["total_customers"]) for r in rows}
    mart = dict(
        warehouse.sql(
            """
            select region, customers_in_supply
            from marts.fct_metering_customers_monthly
            where supply_month = (
                select max(supply_month) from marts.fct_metering_customers_monthly
            )
            """
        ).fetchall()
    )
    assert_close(metric, mart, "total customers")
