"""The metering page (001) shows the warehouse's numbers: every card equals independent SQL on the
marts, a region filter gives that region's figures (and the four regions add up to the total),
the drill-down of a region and month adds up to the region's consumption that month, and the
cards equal the MetricFlow metrics they claim. Without a warehouse, or with an empty mart, the
page shows one clear message.

The expected figures are computed here with SQL of their own, mostly on other marts than the page
reads (the consumption of the overview against the consumption mart, revenue against the bills,
meters in service against the meter dimension's dates...), never with the page's query
functions. `expected_cards` is also imported by the browser test.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest
import sqlglot
from conftest import ROOT, MetricFlow, dbt_target_path, warehouse_path
from sqlglot import expressions as exp
from streamlit.testing.v1 import AppTest

from dashboard import data, pages
from dashboard.components import format_gbp, format_number, format_pct, parse_figure
from energy_dw.bigquery import strictness

APP = ROOT / "dashboard" / "app.py"
REPORT = "metering"
# page (url) -> the cards it shows: every card of expected_cards on exactly one page
PAGE_CARDS = {
    "metering": [
        "Total customers",
        "Consumption (kWh)",
        "Revenue",
        "Meters in service (active)",
        "Meters inactive",
        "Consumption over the range (kWh)",
        "Revenue over the range",
    ],
    "metering_consumption": [],
    "metering_meters": [
        "Meters in good health",
        "Meters in fair health",
        "Meters in poor health",
        "Faulty meters",
        "Average reading time",
        "Reading time over the range",
    ],
    "metering_revenue": ["Bills paid", "Bills part paid", "Bills unpaid", "Share of bills paid"],
    "metering_customers": [
        "Satisfaction score",
        "Survey responses",
        "New customers",
        "Returning customers",
        "Complaints received",
        "Complaints resolved",
    ],
    "metering_operations": [
        "Maintenance requests received",
        "Maintenance requests processed",
        "Installations",
        "Installation time",
        "Time on site",
    ],
    "metering_drill_down": [
        "Drill-down consumption (kWh)",
        "Drill-down customers read",
        "Drill-down meters in service",
        "Drill-down meters inactive",
        "Drill-down installations",
        "Drill-down requests received",
        "Drill-down requests processed",
        "Drill-down technicians",
    ],
}
BIN = Path(sys.executable).parent
# the marts of the exposure smart_metering_dashboard, and the utilities every page header reads
MARTS = [
    "fct_metering_overview_monthly",
    "fct_metering_consumption_monthly",
    "fct_metering_customer_consumption_monthly",
    "dim_metering_meters",
    "fct_metering_meters_monthly",
    "fct_metering_meter_readings_monthly",
    "fct_metering_revenue_monthly",
    "fct_metering_bills",
    "fct_metering_customers_monthly",
    "fct_metering_customer_feedback_monthly",
    "dim_metering_customers",
    "fct_metering_operations_monthly",
    "fct_operations_installs",
    "fct_operations_maintenance_requests",
    "fct_operations_technician_performance_monthly",
    "dim_operations_technicians",
]
UTILITIES = ["util_as_of_date", "util_source_loads"]


def built() -> Path:
    path = warehouse_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"warehouse {path} not built: run `make dbt-ci` first")
        pytest.skip(f"warehouse {path} not built: run `make dbt-ci` first")
    return path


# --- the expected cards: independent SQL on the marts ------------------------------------------


def _all(con, sql: str, params: Sequence = ()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def _one(con, sql: str, params: Sequence = ()):
    return _all(con, sql, params)[0][0]


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join("?" for _ in values) + ")"


def _previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _ratio(numerator, denominator) -> float | None:
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def _unit(text: str, unit: str) -> str:
    return text if text == "n/a" else f"{text} {unit}"


def default_window(con) -> tuple[dt.date, dt.date]:
    """The page's default month range: the last 12 months of the overview mart."""
    months = [
        m
        for (m,) in _all(
            con,
            "select distinct overview_month from marts.fct_metering_overview_monthly order by 1",
        )
    ]
    return months[max(0, len(months) - 12)], months[-1]


def all_regions(con) -> list[str]:
    return [
        r
        for (r,) in _all(
            con,
            "select distinct region from marts.dim_metering_meters "
            "where region is not null order by 1",
        )
    ]


def expected_cards(
    con,
    regions: Sequence[str] | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    drill_region: str | None = None,
    drill_month: dt.date | None = None,
) -> dict[str, str]:
    """Card label -> the text the page shows, for the page's default filters (the last 12 months,
    every region; drill-down: the first selected region, the last month) or the ones given."""
    regions = sorted(regions or all_regions(con))
    default_first, default_last = default_window(con)
    first, last = first or default_first, last or default_last
    drill_region = drill_region or regions[0]
    drill_month = drill_month or last
    among = _in(regions)
    as_of = _one(con, "select as_of_date from utilities.util_as_of_date")
    cards: dict[str, str] = {}

    # overview: the last month (customers, consumption, revenue, meters), and the range
    cards["Total customers"] = format_number(
        _one(
            con,
            f"""
        select coalesce(sum(customers_in_supply), 0) from marts.fct_metering_customers_monthly
        where supply_month = ? and region in {among}""",
            [last, *regions],
        )
    )

    def consumption(start: dt.date, end: dt.date, where_regions: Sequence[str]) -> float:
        return _one(
            con,
            f"""
            select coalesce(sum(consumption_kwh), 0) from marts.fct_metering_consumption_monthly
            where read_month between ? and ? and region in {_in(where_regions)}""",
            [start, end, *where_regions],
        )

    def revenue(start: dt.date, end: dt.date) -> float:
        return _one(
            con,
            f"""
            select coalesce(sum(net_amount_gbp), 0) from marts.fct_metering_bills
            where bill_month between ? and ? and region in {among}""",
            [start, end, *regions],
        )

    def meters(month: dt.date, where_regions: Sequence[str]) -> tuple[int, int]:
        end = _month_end(month)
        return _all(
            con,
            f"""
            select
                count(*) filter (where removed_date is null or removed_date > ?),
                count(*) filter (where removed_date <= ?)
            from marts.dim_metering_meters
            where installed_date <= ? and region in {_in(where_regions)}""",
            [end, end, end, *where_regions],
        )[0]

    cards["Consumption (kWh)"] = format_number(consumption(last, last, regions), 1)
    cards["Revenue"] = format_gbp(revenue(last, last))
    in_service, inactive = meters(last, regions)
    cards["Meters in service (active)"] = format_number(in_service)
    cards["Meters inactive"] = format_number(inactive)
    cards["Consumption over the range (kWh)"] = format_number(consumption(first, last, regions), 1)
    cards["Revenue over the range"] = format_gbp(revenue(first, last))

    # meter performance: the meters now, and the reading time
    total, good, fair, poor, faulty = _all(
        con,
        f"""
        select
            count(*),
            count(*) filter (where health_status = 'Good'),
            count(*) filter (where health_status = 'Fair'),
            count(*) filter (where health_status = 'Poor'),
            count(*) filter (where is_faulty)
        from marts.dim_metering_meters where region in {among}""",
        regions,
    )[0]
    cards["Meters in good health"] = format_pct(_ratio(good, total))
    cards["Meters in fair health"] = format_pct(_ratio(fair, total))
    cards["Meters in poor health"] = format_pct(_ratio(poor, total))
    cards["Faulty meters"] = format_number(faulty)

    def reading_time(start: dt.date, end: dt.date) -> float | None:
        minutes, readings = _all(
            con,
            f"""
            select sum(latency_minutes_total), sum(readings_with_latency)
            from marts.fct_metering_meter_readings_monthly
            where received_month between ? and ? and region in {among}""",
            [start, end, *regions],
        )[0]
        return _ratio(minutes, readings)

    cards["Average reading time"] = _unit(format_number(reading_time(last, last), 1), "min")
    cards["Reading time over the range"] = _unit(format_number(reading_time(first, last), 1), "min")

    # revenue: bills by payment status over the range, from the bills themselves
    bills, paid, part_paid, unpaid = _all(
        con,
        f"""
        select
            count(*),
            count(*) filter (where payment_status = 'paid'),
            count(*) filter (where payment_status = 'part_paid'),
            count(*) filter (where payment_status = 'unpaid')
        from marts.fct_metering_bills
        where bill_month between ? and ? and region in {among}""",
        [first, last, *regions],
    )[0]
    cards["Bills paid"] = format_number(paid)
    cards["Bills part paid"] = format_number(part_paid)
    cards["Bills unpaid"] = format_number(unpaid)
    cards["Share of bills paid"] = format_pct(_ratio(paid, bills))

    # customers: satisfaction over the range; new, returning and complaints in the last month
    responses, scores = _all(
        con,
        f"""
        select coalesce(sum(survey_responses), 0), sum(satisfaction_score_total)
        from marts.fct_metering_customer_feedback_monthly
        where feedback_month between ? and ? and region in {among}""",
        [first, last, *regions],
    )[0]
    cards["Satisfaction score"] = _unit(format_number(_ratio(scores, responses), 2), "/ 5")
    cards["Survey responses"] = format_number(responses)
    new, returning = _all(
        con,
        f"""
        select coalesce(sum(new_customers), 0), coalesce(sum(returning_customers), 0)
        from marts.fct_metering_customers_monthly
        where supply_month = ? and region in {among}""",
        [last, *regions],
    )[0]
    cards["New customers"] = format_number(new)
    cards["Returning customers"] = format_number(returning)
    received, resolved = _all(
        con,
        f"""
        select coalesce(sum(complaints_received), 0), coalesce(sum(complaints_resolved), 0)
        from marts.fct_metering_customer_feedback_monthly
        where feedback_month = ? and region in {among}""",
        [last, *regions],
    )[0]
    cards["Complaints received"] = format_number(received)
    cards["Complaints resolved"] = format_number(resolved)

    # operations over the range, from the detail facts
    installs, install_days, on_site = _all(
        con,
        f"""
        select count(*), avg(days_booking_to_install), avg(minutes_on_site)
        from marts.fct_operations_installs
        where install_month between ? and ? and install_date <= ? and region in {among}""",
        [first, last, as_of, *regions],
    )[0]
    cards["Installations"] = format_number(installs)
    cards["Installation time"] = _unit(format_number(install_days, 1), "days")
    cards["Time on site"] = _unit(format_number(on_site, 1), "min")
    cards["Maintenance requests received"] = format_number(
        _one(
            con,
            f"""
        select count(*) from marts.fct_operations_maintenance_requests
        where requested_month between ? and ? and requested_date <= ? and region in {among}""",
            [first, last, as_of, *regions],
        )
    )
    cards["Maintenance requests processed"] = format_number(
        _one(
            con,
            f"""
        select count(*) from marts.fct_operations_maintenance_requests
        where is_processed and resolved_month between ? and ? and region in {among}""",
            [first, last, *regions],
        )
    )

    # drill-down: one region and month
    slice_ = [drill_month, drill_region]
    cards["Drill-down consumption (kWh)"] = format_number(
        consumption(drill_month, drill_month, [drill_region]), 1
    )
    cards["Drill-down customers read"] = format_number(
        _one(
            con,
            """
        select count(*) from marts.fct_metering_customer_consumption_monthly
        where read_month = ? and region = ?""",
            slice_,
        )
    )
    in_service, inactive = meters(drill_month, [drill_region])
    cards["Drill-down meters in service"] = format_number(in_service)
    cards["Drill-down meters inactive"] = format_number(inactive)
    cards["Drill-down installations"] = format_number(
        _one(
            con,
            """
        select count(*) from marts.fct_operations_installs
        where install_month = ? and region = ?""",
            slice_,
        )
    )
    cards["Drill-down requests received"] = format_number(
        _one(
            con,
            """
        select count(*) from marts.fct_operations_maintenance_requests
        where requested_month = ? and region = ?""",
            slice_,
        )
    )
    cards["Drill-down requests processed"] = format_number(
        _one(
            con,
            """
        select count(*) from marts.fct_operations_maintenance_requests
        where is_processed and resolved_month = ? and region = ?""",
            slice_,
        )
    )
    cards["Drill-down technicians"] = format_number(
        _one(
            con,
            """
        select count(distinct technician_id)
        from marts.fct_operations_technician_performance_monthly
        where activity_month = ? and region = ?""",
            slice_,
        )
    )
    return cards


# --- the page ----------------------------------------------------------------------------------


def page_cards(cards: dict[str, str], page: str) -> dict[str, str]:
    """The cards of one page of the report, out of expected_cards."""
    return {label: cards[label] for label in PAGE_CARDS[page]}


def open_page(monkeypatch, database: Path, page: str = REPORT, **widgets) -> AppTest:
    """A page of the report over `database`, after setting widgets by key (regions, months,
    drill_*)."""
    monkeypatch.setenv("DASHBOARD_TARGET", "dev")
    monkeypatch.setenv("DASHBOARD_DUCKDB_PATH", str(database))
    monkeypatch.setenv("DASHBOARD_DBT_TARGET_PATH", str(dbt_target_path()))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()  # the home page: st.navigation registers the pages' url paths
    switch(at, page)
    if widgets:
        set_widgets(at, **widgets)
    return at


def switch(at: AppTest, page: str) -> AppTest:
    """Go to another page of the app, as the navigation does (the session, and so the filters,
    stay)."""
    return at.switch_page(pages.PAGES[page].file).run()


def every_page(at: AppTest) -> dict[str, dict[str, str]]:
    """Visit each page of the report in turn: page -> its cards."""
    return {page: cards(switch(at, page)) for page in PAGE_CARDS}


def set_widgets(at: AppTest, **widgets) -> AppTest:
    if "regions" in widgets:
        at.multiselect(key="metering_regions").set_value(list(widgets["regions"]))
    if "months" in widgets:
        at.select_slider(key="metering_months").set_range(*widgets["months"])
    at.run()
    if "drill_region" in widgets:
        at.selectbox(key="metering_drill_region").select(widgets["drill_region"])
    if "drill_month" in widgets:
        at.selectbox(key="metering_drill_month").select(widgets["drill_month"])
    return at.run()


def cards(at: AppTest) -> dict[str, str]:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    shown = {m.label: m.value for m in at.metric}
    assert len(shown) == len(at.metric), "card labels must be unique on the page"
    return shown


def table(at: AppTest, column: str):
    """The one dataframe of the page holding `column` (dataframes carry no key in AppTest)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


@pytest.fixture()
def database() -> Path:
    return built()


def test_the_pages_show_the_marts_figures_on_the_default_filters(monkeypatch, database, warehouse):
    """Each page shows its cards, equal to the warehouse's; together every card of the report."""
    assert sorted(PAGE_CARDS) == sorted(p.url for p in pages.of_report(REPORT))
    at = open_page(monkeypatch, database)
    expected = expected_cards(warehouse)
    shown = every_page(at)
    for page, page_shown in shown.items():
        assert page_shown == page_cards(expected, page), page
    assert sum(len(c) for c in shown.values()) == len(expected)
    at = switch(at, REPORT)
    # the filters' defaults: the last 12 months, every region
    assert at.select_slider(key="metering_months").value == default_window(warehouse)
    assert sorted(at.multiselect(key="metering_regions").value) == all_regions(warehouse)
    # month-over-month: the change on the month before, from the consumption and bills marts
    last = default_window(warehouse)[1]
    before = _previous_month(last)
    consumption = dict(
        _all(
            warehouse,
            """
        select read_month, sum(consumption_kwh) from marts.fct_metering_consumption_monthly
        where read_month in (?, ?) group by read_month""",
            [before, last],
        )
    )
    revenue = dict(
        _all(
            warehouse,
            """
        select bill_month, sum(net_amount_gbp) from marts.fct_metering_bills
        where bill_month in (?, ?) group by bill_month""",
            [before, last],
        )
    )
    deltas = {m.label: (m.delta, m.proto.delta_description) for m in at.metric}
    for label, figures, decimals in [
        ("Consumption (kWh)", consumption, 1),
        ("Revenue", revenue, 2),
    ]:
        change = float(figures[last]) - float(figures[before])
        text = ("-" if change < 0 else "+") + format_number(abs(change), decimals)
        assert deltas[label] == (text, f"vs {before:%b %Y}"), label
    # the definitions beside the numbers are the yml's
    helps = {m.label: m.help for m in at.metric}
    assert "IMPORT register" in helps["Consumption (kWh)"]
    assert helps["Revenue"].startswith("Net amount (excluding VAT)")


def test_one_region_gives_its_figures_and_the_regions_add_up(monkeypatch, database, warehouse):
    """The region chosen on the overview applies on every page of the report."""
    at = open_page(monkeypatch, database)
    total = {label: text for page in every_page(at).values() for label, text in page.items()}
    by_region = {}
    for region in all_regions(warehouse):
        set_widgets(switch(at, REPORT), regions=[region])
        shown = every_page(at)
        expected = expected_cards(warehouse, regions=[region])
        for page, page_shown in shown.items():
            assert page_shown == page_cards(expected, page), (region, page)
        by_region[region] = {label: t for page in shown.values() for label, t in page.items()}
    # additive cards: the four regions' figures add up to the all-regions figure (to rounding)
    for label, rounding in [
        ("Consumption (kWh)", 0.05),
        ("Consumption over the range (kWh)", 0.05),
        ("Revenue", 0.005),
        ("Total customers", 0),
        ("Meters in service (active)", 0),
        ("Bills unpaid", 0),
        ("Installations", 0),
    ]:
        parts = [parse_figure(c[label]) for c in by_region.values()]
        assert abs(sum(parts) - parse_figure(total[label])) <= rounding * len(parts) + 1e-9, label


def test_known_october_2026_figures_of_the_south(monkeypatch, database, warehouse):
    """The figures 001's seeds give for October 2026 in the South."""
    if default_window(warehouse)[1] != dt.date(2026, 10, 1):
        pytest.skip("the warehouse's last month is not October 2026 (other data than the seeds)")
    shown = cards(open_page(monkeypatch, database, regions=["South"]))
    # consumption and revenue checked against the raw seeds: the non-EXPORT Consumption of the
    # South's reads dated in October 2026, the net amount of the latest accepted bills created then
    assert shown["Total customers"] == "58"
    assert shown["Consumption (kWh)"] == "44,982.0"
    assert shown["Revenue"] == "£6,859.81"
    assert shown["Meters in service (active)"] == "91"


def test_drill_down_rows_add_up_to_the_region_and_month(monkeypatch, database, warehouse):
    first, last = default_window(warehouse)
    month = _previous_month(last)
    at = open_page(
        monkeypatch,
        database,
        "metering_drill_down",
        regions=["North", "South"],
        drill_region="South",
        drill_month=month,
    )
    shown = cards(at)
    assert shown == page_cards(
        expected_cards(
            warehouse, regions=["North", "South"], drill_region="South", drill_month=month
        ),
        "metering_drill_down",
    )
    customers = table(at, "consumption_rank")
    assert set(customers["region"]) == {"South"}
    # the untruncated count is shown beside the rows; here every row fits the limit
    assert len(customers) == parse_figure(shown["Drill-down customers read"])
    assert round(float(customers["consumption_kwh"].sum()), 1) == parse_figure(
        shown["Drill-down consumption (kWh)"]
    )
    # ... and equals the region's consumption in the month on the consumption mart
    region_month = _one(
        warehouse,
        """
        select sum(consumption_kwh) from marts.fct_metering_consumption_monthly
        where read_month = ? and region = 'South'""",
        [month],
    )
    assert abs(float(customers["consumption_kwh"].sum()) - float(region_month)) < 1e-6
    meters = table(at, "at_month_end")
    assert (meters["at_month_end"] == "in service").sum() == parse_figure(
        shown["Drill-down meters in service"]
    )
    # the South's overview card for the same month (filters set here, on the drill-down page)
    # equals its drill-down
    set_widgets(at, regions=["South"], months=(first, month))
    overview = switch(at, REPORT)
    assert overview.multiselect(key="metering_regions").value == ["South"]
    assert cards(overview)["Consumption (kWh)"] == shown["Drill-down consumption (kWh)"]


def test_drill_down_is_limited_in_the_engine_with_untruncated_totals(database):
    """The drill-down queries return at most `limit` rows; their totals count the whole slice."""
    from dashboard.data import metering

    with duckdb.connect(str(database), read_only=True) as con:
        month = _one(
            con, "select max(read_month) from marts.fct_metering_customer_consumption_monthly"
        )
        region, customers = _all(
            con,
            """
            select region, count(*) from marts.fct_metering_customer_consumption_monthly
            where read_month = ? group by region order by 2 desc limit 1""",
            [month],
        )[0]
    env = {"DASHBOARD_TARGET": "dev", "DASHBOARD_DUCKDB_PATH": str(database)}
    with data.session(env) as reader:
        drill = metering.drill_customers(reader, region, month, limit=5)
    assert len(drill.rows) == 5 < customers
    assert drill.totals["customers"] == customers
    assert list(drill.rows["consumption_kwh"]) == sorted(
        drill.rows["consumption_kwh"], reverse=True
    )


# --- MetricFlow --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def metricflow(tmp_path_factory):
    """`mf query` on a copy of the warehouse (conftest.MetricFlow): rows as dicts."""
    built()
    return MetricFlow(tmp_path_factory.mktemp("metering_metricflow")).query


def test_cards_equal_the_metricflow_metrics(monkeypatch, database, warehouse, metricflow):
    """Consumption, revenue and total customers of a region and month are `consumption_kwh`,
    `revenue_gbp` and `total_customers` by metric_time__month and region."""
    last = default_window(warehouse)[1]
    rows = metricflow(
        "--metrics",
        "consumption_kwh,revenue_gbp,total_customers",
        "--group-by",
        "metric_time__month,region",
        "--start-time",
        str(last),
        "--end-time",
        str(_month_end(last)),
    )
    metric = {r["region"]: r for r in rows if r["metric_time__month"][:10] == str(last)}
    assert sorted(metric) == all_regions(warehouse)
    at = open_page(monkeypatch, database)
    everyone = cards(at)
    assert parse_figure(everyone["Consumption (kWh)"]) == round(
        sum(float(r["consumption_kwh"]) for r in metric.values()), 1
    )
    for region, values in metric.items():
        set_widgets(at, regions=[region])
        shown = cards(at)
        assert shown["Consumption (kWh)"] == format_number(float(values["consumption_kwh"]), 1)
        assert shown["Revenue"] == format_gbp(float(values["revenue_gbp"]))
        assert shown["Total customers"] == format_number(float(values["total_customers"]))


# --- portable SQL --------------------------------------------------------------------------------

PORTABLE_FUNCTIONS = {"Count", "Sum", "Avg", "Min", "Max", "Nullif", "Coalesce", "Case", "If"}


def test_every_query_is_portable_sql(monkeypatch, database):
    """Every query the page runs, named like the BigQuery reader names relations, passes the
    project's BigQuery strictness check and calls only plain aggregates (no date_trunc, strftime,
    ::, ...)."""
    seen: list[str] = []
    original = data.DuckDBReader.query

    def recording(self, sql, params=None):
        seen.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(data.DuckDBReader, "query", recording)
    every_page(open_page(monkeypatch, database))
    page_queries = [sql for sql in seen if "utilities." not in sql]
    assert len(page_queries) > 20
    for sql in page_queries:
        assert "::" not in sql and not re.search(r"date_trunc|strftime|date_diff", sql, re.I), sql
        named = data.RELATION.sub(lambda m: f"`project.dataset_{m.group(1)}.{m.group(2)}`", sql)
        text = data.PARAMETER.sub(lambda m: f"@{m.group(1)}", named)
        assert not strictness.check_sql(text, "metering page"), text
        tree = sqlglot.parse_one(text, read="bigquery")
        functions = {
            type(node).__name__
            for node in tree.find_all(exp.Func)
            if not isinstance(node, exp.Connector | exp.Predicate)
        }
        assert functions <= PORTABLE_FUNCTIONS, (functions - PORTABLE_FUNCTIONS, sql)


# --- one clear message -----------------------------------------------------------------------


def one_message(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1, [e.value for e in at.error]
    assert not at.metric
    return at.error[0].value


def test_no_warehouse_gives_one_clear_message(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path / "not_built.duckdb")
    assert "No warehouse has been built yet" in one_message(at)
    assert "make build" in at.info[0].value


def test_bigquery_without_a_project_gives_one_clear_message(monkeypatch):
    monkeypatch.setenv("DASHBOARD_TARGET", "prod")
    monkeypatch.delenv("DBT_BQ_PROJECT", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert "DBT_BQ_PROJECT is not set" in one_message(switch(at, REPORT))


def test_empty_mart_gives_one_clear_message(monkeypatch, database, tmp_path):
    """A copy of the page's marts with the overview mart empty: the page names it."""
    copy = tmp_path / "empty_overview.duckdb"
    with duckdb.connect(str(copy)) as con:
        con.execute(f"attach '{database}' as built (read_only)")
        for schema, names in (("marts", MARTS), ("utilities", UTILITIES)):
            con.execute(f"create schema {schema}")
            for name in names:
                where = " where false" if name == "fct_metering_overview_monthly" else ""
                con.execute(
                    f"create table {schema}.{name} as select * from built.{schema}.{name}{where}"
                )
        con.execute("detach built")
    at = open_page(monkeypatch, copy)
    message = one_message(at)
    assert "marts.fct_metering_overview_monthly is empty" in message
    assert "make build" in at.info[0].value
