"""The dashboards: `make dashboard` (or `streamlit run dashboard/app.py`).

DASHBOARD_TARGET=dev (default) reads the published DuckDB file warehouse.duckdb read-only;
DASHBOARD_TARGET=prod reads the BigQuery marts of the prod target (see dashboard/data).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Energy warehouse dashboards", layout="wide")

pages = [
    st.Page(VIEWS / "home.py", title="Home", url_path="home", default=True),
    st.Page(VIEWS / "metering.py", title="Metering dashboard (001)", url_path="metering"),
    st.Page(VIEWS / "portfolio.py", title="Portfolio report (002)", url_path="portfolio"),
    st.Page(VIEWS / "operations.py", title="Operations report (000)", url_path="operations"),
    st.Page(VIEWS / "data_quality.py", title="Data quality", url_path="data_quality"),
]
st.navigation(pages).run()
