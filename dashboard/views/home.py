"""The landing page: what each report is, with a link to it, and the build it reads."""

from __future__ import annotations

import streamlit as st

from dashboard import components, definitions
from dashboard.data import Reader

REPORTS = [
    (
        "views/metering.py",
        "Metering dashboard (001)",
        "Customers, consumption, meter health, revenue, satisfaction and field operations by "
        "region and month, with drill-down to customers, meters, installs and technicians.",
    ),
    (
        "views/portfolio.py",
        "Portfolio report (002)",
        "The pay-as-you-go portfolio: month-end categories, every KPI of the data dictionary "
        "with its slicers, portfolio at risk, the default and churn cohorts, notifications.",
    ),
    (
        "views/operations.py",
        "Operations report (000)",
        "The answers to the 17 operations queries: bookings, installs, meter readings, bills, "
        "bill delivery and digital journeys over the last 30 days of the as-of date.",
    ),
    (
        "views/data_quality.py",
        "Data quality",
        "The last build's dbt test results with the offending rows, and the great-expectations "
        "results per mart.",
    ),
]


def body(reader: Reader) -> None:
    for path, title, text in REPORTS:
        st.page_link(path, label=title, icon=":material/bar_chart:")
        st.caption(text)
    if not definitions.load().available:
        st.warning(
            "The dbt artifacts (manifest.json) were not found, so the pages show their figures "
            "without the KPI definitions: run `make build`."
        )


components.run_page("home", "Energy warehouse dashboards", "Reports over the marts", body)
