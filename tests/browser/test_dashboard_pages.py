"""Every dashboard page in headless Chromium over the CI build, and every filter of it.

For each report, each of its pages: open its URL, wait for the full render, assert that it shows
no traceback and no error, that its cards (st.metric) equal the warehouse's figures as the report's
test module in tests/python computes them with its own SQL (`expected_cards`, the page's share
of them by the module's `PAGE_CARDS`), and take a screenshot. Then set each filter through the
browser, as a person would, on a page of the report and compare the cards again; and follow the
navigation to another page of the report, whose filters must be the ones set before. Screenshots
go to target/dashboard/ (DASHBOARD_SCREENSHOTS), one per page and per filter state shot.

A widget a page of the report shows that no step below sets fails the test: a new filter needs a
step here.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dashboard import pages
from dashboard.components import parse_figure
from energy_dw.dashboard_browser import PAGES, DashboardPage, compare_cards

# report -> the module of tests/python that holds its expected_cards (and PAGE_CARDS)
MODULES = {
    "metering": "test_dashboard_metering",
    "portfolio": "test_dashboard_portfolio",
    "operations": "test_dashboard_operations",
    "data_quality": "test_dashboard_quality",
}


@dataclass
class Step:
    """One change made through the browser, and the filters `expected_cards` is then called with.

    `actions`: (method of DashboardPage, widget key or page url for "go", *arguments). `filters`
    are the report's filters after the step (they accumulate within a scenario). `shot`: the
    screenshot's suffix.
    """

    name: str
    actions: list[tuple] = field(default_factory=list)
    filters: dict = field(default_factory=dict)
    shot: str | None = None


def month_label(month: dt.date) -> str:
    return month.strftime("%b %Y")


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def metering_scenarios(con, module) -> list[tuple[str, list[Step]]]:
    first, last = module.default_window(con)
    regions = module.all_regions(con)
    region = regions[min(1, len(regions) - 1)]
    moved = (add_months(first, 3), add_months(last, -1))
    drill_region, drill_month = regions[-1], add_months(last, -2)
    chosen = {"regions": [region], "first": moved[0], "last": moved[1]}
    return [
        (
            "metering",
            [
                Step(
                    f"regions = [{region}]",
                    [("choose", "metering_regions", [region])],
                    {"regions": [region]},
                    shot="region",
                ),
                Step(
                    f"months {month_label(moved[0])} to {month_label(moved[1])}",
                    [
                        (
                            "set_range",
                            "metering_months",
                            month_label(moved[0]),
                            month_label(moved[1]),
                        )
                    ],
                    chosen,
                    shot="months",
                ),
                # the filters set on the overview apply on the other pages of the report
                Step("to Revenue", [("go", "metering_revenue")], chosen, shot="kept"),
                Step("to Customers", [("go", "metering_customers")], chosen),
            ],
        ),
        (
            "metering_drill_down",
            [
                Step(
                    f"drill-down {drill_region}, {month_label(drill_month)}",
                    [
                        ("select", "metering_drill_region", drill_region),
                        ("select", "metering_drill_month", month_label(drill_month)),
                    ],
                    {"drill_region": drill_region, "drill_month": drill_month},
                    shot="choice",
                ),
            ],
        ),
    ]


def portfolio_scenarios(con, module) -> list[tuple[str, list[Step]]]:
    months = module.last_months(con)
    steps = []
    for slicer, column in module.SLICERS.items():
        value = con.execute(f"select min({column}) from {module.MONTHLY}").fetchone()[0]
        steps.append(
            Step(
                f"{slicer} = [{value}]",
                [("choose", f"portfolio_{slicer}", [value])],
                {slicer: value},
                shot=slicer if slicer == "opco" else None,
            )
        )
        steps.append(Step(f"{slicer} cleared", [("choose", f"portfolio_{slicer}", [])]))
    # the cards are the range's last month's: a range ending a month earlier moves them
    end = months[-2]
    steps.append(
        Step(
            f"months {month_label(months[3])} to {month_label(end)}",
            [("set_range", "portfolio_months", month_label(months[3]), month_label(end))],
            {"end": end},
            shot="months",
        )
    )
    opco = con.execute(f"select min(opco) from {module.MONTHLY}").fetchone()[0]
    steps.append(
        Step(f"opco = [{opco}]", [("choose", "portfolio_opco", [opco])], {"end": end, "opco": opco})
    )
    # ... and on the other pages of the report
    steps.append(
        Step(
            "to Notifications",
            [("go", "portfolio_notifications")],
            {"end": end, "opco": opco},
            shot="kept",
        )
    )
    # the hierarchy level changes a chart only (its options are the page's, not figures)
    from dashboard.data.portfolio import LEVELS

    level = [Step("level", [("select", "portfolio_level", next(iter(LEVELS)))], shot="level")]
    cohorts = [
        Step(
            "churn cohorts",
            [("select", "portfolio_cohort_matrix", "Churn cohorts")],
            shot="churn",
        )
    ]
    return [("portfolio", steps), ("portfolio_categories", level), ("portfolio_cohorts", cohorts)]


def operations_scenarios(con, module) -> list[tuple[str, list[Step]]]:
    as_of = con.execute("select as_of_date from utilities.util_as_of_date").fetchone()[0]
    window_end = as_of - dt.timedelta(days=10)
    journeys = con.execute(
        "select min(channel), min(kpi_name) from marts.fct_operations_digital_journeys_daily"
    ).fetchone()
    channel, kpi = journeys
    moved = {"window_end": window_end}
    return [
        (
            "operations",
            [
                Step(
                    f"window end {window_end}",
                    [("set_date", "operations_window_end", window_end)],
                    moved,
                    shot="window_end",
                ),
                Step("to Billing", [("go", "operations_billing")], moved, shot="kept"),
            ],
        ),
        (
            "operations_digital",
            [
                Step(
                    f"channels = [{channel}]",
                    [("choose", "operations_channels", [channel])],
                    {"channels": [channel]},
                ),
                Step(
                    f"kpis = [{kpi}]",
                    [("choose", "operations_kpis", [kpi])],
                    {"channels": [channel], "kpis": [kpi]},
                    shot="journeys",
                ),
            ],
        ),
    ]


def data_quality_scenarios(con, module) -> list[tuple[str, list[Step]]]:
    return []


SCENARIOS: dict[str, Callable] = {
    "metering": metering_scenarios,
    "portfolio": portfolio_scenarios,
    "operations": operations_scenarios,
    "data_quality": data_quality_scenarios,
}


def page_module_of(report: str):
    """tests/python/test_dashboard_<report>.py (on the path: see conftest)."""
    return importlib.import_module(MODULES[report])


def expected_cards(page: str, con, target: Path, filters: dict) -> dict[str, str]:
    """The cards `page` shows with these filters: its share of its report's expected_cards."""
    report = pages.PAGES[page].report
    module = page_module_of(report)
    if report == "data_quality":
        return module.expected_cards(con, target_path=target, **filters)
    cards = module.expected_cards(con, **filters)
    return {label: cards[label] for label in module.PAGE_CARDS[page]}


def check_page(tab: DashboardPage, page: str, step: str) -> None:
    """No traceback, no error, a page title."""
    errors = tab.errors()
    assert not errors, f"{page}, {step}: the page shows {errors}"
    assert tab.title(), f"{page}, {step}: no page title"


def shot_name(page: str, shot: str) -> str:
    return f"{page}__{shot}.png" if shot else f"{page}.png"


@pytest.mark.parametrize("report", list(MODULES))
def test_page_figures_equal_the_warehouse_for_every_filter(
    report, chromium, app_server, warehouse, ci_build, screenshots
):
    target = ci_build[1]
    module = page_module_of(report)
    # every page of the report at its defaults, then the report's filter scenarios
    scenarios = [(p.url, [Step("default", shot="")]) for p in pages.of_report(report)]
    scenarios += SCENARIOS[report](warehouse, module)
    exercised: set[str] = set()
    shown_widgets: dict[str, str] = {}
    problems: list[str] = []
    for page, steps in scenarios:
        tab = DashboardPage(chromium, app_server.url)
        try:
            tab.open(page)
            for step in steps:
                for method, key, *arguments in step.actions:
                    if method == "go":
                        tab.go(key)
                        page = key
                        continue
                    getattr(tab, method)(key, *arguments)
                    exercised.add(key)
                check_page(tab, page, step.name)
                shown_widgets |= tab.filters()
                found = compare_cards(
                    tab.cards(), expected_cards(page, warehouse, target, step.filters)
                )
                problems += [f"{page}, {step.name}: {line}" for line in found]
                if step.shot is not None:
                    tab.screenshot(screenshots / shot_name(page, step.shot))
        finally:
            tab.page.close()
    assert not problems, "cards differ from the warehouse:\n" + "\n".join(problems)
    untested = sorted(set(shown_widgets) - exercised)
    assert not untested, f"{report}: widgets no step of this test sets: {untested}"


@pytest.fixture(scope="module")
def unbuilt_server(tmp_path_factory):
    """The app over a warehouse file that does not exist."""
    from energy_dw import dashboard_browser as browser

    folder = tmp_path_factory.mktemp("unbuilt")
    with browser.serve(folder / "missing.duckdb", folder, log=folder / "streamlit.log") as server:
        yield server


@pytest.mark.parametrize("page", list(PAGES))
def test_no_warehouse_shows_one_clear_message(page, chromium, unbuilt_server, screenshots):
    tab = DashboardPage(chromium, unbuilt_server.url)
    try:
        tab.open(page)
        errors = tab.errors()
        assert not [e for e in errors if e.startswith(("exception", "dialog"))], errors
        assert len(errors) == 1, errors
        assert "No warehouse has been built yet" in errors[0], errors
        assert "missing.duckdb does not exist" in errors[0], errors
        info = tab.page.locator('[data-testid="stAlertContentInfo"]').all_inner_texts()
        assert any("make build" in text for text in info), info
        assert tab.cards() == {}
        if page == "metering":
            tab.screenshot(screenshots / "no_warehouse.png")
    finally:
        tab.page.close()


def test_a_tampered_figure_fails_the_comparison(
    chromium, warehouse, ci_build, tmp_path, screenshots
):
    """The comparison above can fail: serve the app over a copy of the CI build in which one
    figure of the mart the metering overview reads (one region's consumption in the last month)
    is 1,000 kWh higher, and compare its cards, with the same function, to the figures of the
    untampered build."""
    import shutil

    import duckdb

    from energy_dw.dashboard_browser import serve

    source, target = ci_build
    copy = tmp_path / "tampered.duckdb"
    shutil.copyfile(source, copy)
    con = duckdb.connect(str(copy))
    month, region = con.execute(
        "select max(overview_month), min(region) from marts.fct_metering_overview_monthly"
    ).fetchone()
    con.execute(
        "update marts.fct_metering_overview_monthly set consumption_kwh = consumption_kwh + 1000"
        " where overview_month = ? and region = ?",
        [month, region],
    )
    con.close()
    expected = expected_cards("metering", warehouse, target, {})  # the overview's cards
    with serve(copy, target, log=tmp_path / "streamlit.log") as server:
        tab = DashboardPage(chromium, server.url)
        try:
            tab.open("metering")
            shown = tab.cards()
            tab.screenshot(screenshots / "metering__tampered.png")
        finally:
            tab.page.close()
    problems = compare_cards(shown, expected)
    print(f"tampered {region}, {month:%b %Y}: the comparison reports", *problems, sep="\n  ")
    card = "Consumption (kWh)"
    assert any(line.startswith(repr(card)) for line in problems), problems
    assert parse_figure(shown[card]) == pytest.approx(parse_figure(expected[card]) + 1000)
    # only the consumption cards read the tampered value
    assert {line.split(":")[0].strip("'") for line in problems} <= {
        card,
        "Consumption over the range (kWh)",
    }, problems


def test_home_page_links_every_page(chromium, app_server, screenshots):
    tab = DashboardPage(chromium, app_server.url)
    try:
        tab.open("")
        check_page(tab, "home", "default")
        links = tab.page.locator('[data-testid="stMain"] [data-testid="stPageLink"] a')
        # url (the href's last segment: Streamlit writes it relative) -> the link's text
        shown = {
            (links.nth(i).get_attribute("href") or "").rstrip("/").split("/")[-1]: links.nth(
                i
            ).inner_text()
            for i in range(links.count())
        }
        assert sorted(shown) == sorted(PAGES), shown
        for url, title in PAGES.items():
            assert title in shown[url], (url, title, shown[url])
        tab.screenshot(screenshots / "home.png")
    finally:
        tab.page.close()
