"""The dashboards: `make dashboard` (or `streamlit run dashboard/app.py`).

DASHBOARD_TARGET=dev (default) reads the published DuckDB file warehouse.duckdb read-only;
DASHBOARD_TARGET=prod reads the BigQuery marts of the prod target (see dashboard/data).
Each report is a section of the navigation, a page per section of the report (dashboard/pages.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import pages  # noqa: E402 - needs the path above

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="Energy warehouse dashboards", layout="wide")


def page(entry: pages.Page, default: bool = False) -> st.Page:
    return st.Page(HERE / entry.file, title=entry.title, url_path=entry.url, default=default)


navigation = {"": [page(pages.HOME, default=True)]}
navigation |= {
    section: [page(entry) for entry in entries] for section, entries in pages.REPORTS.items()
}
# expanded: every page listed (collapsed, the navigation shows ten and a "View more" button)
st.navigation(navigation, expanded=True).run()
