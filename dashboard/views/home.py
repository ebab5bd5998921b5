"""The landing page: what each report is, with a link to each of its pages, and the build it
reads."""

from __future__ import annotations

import streamlit as st

from dashboard import components, definitions, pages
from dashboard.data import Reader

ABOUT = {
    "Metering (001)": "Customers, consumption, meter health, revenue, satisfaction and field "
    "operations by region and month, with drill-down to customers, meters, installs and "
    "technicians.",
    "Portfolio (002)": "The pay-as-you-go portfolio: month-end categories, every KPI of the data "
    "dictionary with its slicers, portfolio at risk, the default and churn cohorts, "
    "notifications.",
    "Operations (000)": "The answers to the 17 operations queries: bookings, installs, meter "
    "readings, bills, bill delivery and digital journeys over the last 30 days of the as-of date.",
    "Data quality": "The last build's dbt test results with the offending rows, and the "
    "great-expectations results per mart.",
}


def body(reader: Reader) -> None:
    st.caption(
        "Each report is a section of the navigation, with a page per section of the report; "
        "the filters chosen on one page of a report apply to its other pages."
    )
    for report, entries in pages.REPORTS.items():
        st.subheader(report)
        st.caption(ABOUT[report])
        columns = st.columns(4)
        for i, entry in enumerate(entries):
            with columns[i % 4]:
                st.page_link(entry.file, label=entry.title, icon=":material/bar_chart:")
    if not definitions.load().available:
        st.warning(
            "The dbt artifacts (manifest.json) were not found, so the pages show their figures "
            "without the KPI definitions: run `make build`."
        )


components.run_page("home", "Energy warehouse dashboards", "Reports over the marts", body)
