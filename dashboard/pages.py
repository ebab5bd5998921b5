"""The pages of the app, one list for the navigation, the home page, the tests and the benchmark.

Each report is a section of the navigation with a page per section of the report, so a first
render draws one section's charts and tables, not the whole report's. A page's `url` is its URL
path; the first page of a report keeps the report's old URL (`/metering`, `/portfolio`,
`/operations`), which is also the exposure's url (`definitions.page_sources` maps every page of
the report to it). Filters are shared by the pages of a report (`components.kept`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    url: str
    title: str
    file: str  # relative to dashboard/

    @property
    def report(self) -> str:
        """The report the page belongs to: the first part of its url ('metering_revenue')."""
        return next((r for r in REPORT_URLS if self.url.split("_")[0] == r), self.url)


HOME = Page("home", "Home", "views/home.py")
REPORTS: dict[str, list[Page]] = {
    "Metering (001)": [
        Page("metering", "Overview", "views/metering/overview.py"),
        Page("metering_consumption", "Consumption", "views/metering/consumption.py"),
        Page("metering_meters", "Meter performance", "views/metering/meters.py"),
        Page("metering_revenue", "Revenue", "views/metering/revenue.py"),
        Page("metering_customers", "Customers", "views/metering/customers.py"),
        Page("metering_operations", "Operations", "views/metering/operations.py"),
        Page("metering_drill_down", "Drill-down", "views/metering/drill_down.py"),
    ],
    "Portfolio (002)": [
        Page("portfolio", "Overview", "views/portfolio/overview.py"),
        Page("portfolio_kpis", "KPIs by month", "views/portfolio/kpis.py"),
        Page("portfolio_categories", "Categories", "views/portfolio/categories.py"),
        Page("portfolio_par", "Portfolio at Risk", "views/portfolio/par.py"),
        Page("portfolio_cohorts", "Cohorts", "views/portfolio/cohorts.py"),
        Page("portfolio_notifications", "Notifications", "views/portfolio/notifications.py"),
    ],
    "Operations (000)": [
        Page("operations", "Smart metering", "views/operations/smart_metering.py"),
        Page("operations_meter_reading", "Meter reading", "views/operations/meter_reading.py"),
        Page("operations_billing", "Billing", "views/operations/billing.py"),
        Page("operations_digital", "Digital journeys", "views/operations/digital.py"),
    ],
    "Data quality": [Page("data_quality", "Data quality", "views/data_quality.py")],
}
REPORT_URLS = ("metering", "portfolio", "operations")
# every page but home: url -> page
PAGES: dict[str, Page] = {page.url: page for pages in REPORTS.values() for page in pages}


def of_report(report: str) -> list[Page]:
    """The pages of a report by its url ('metering'), in the navigation's order."""
    return [page for page in PAGES.values() if page.report == report]
