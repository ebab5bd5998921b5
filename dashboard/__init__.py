"""The dashboards of the warehouse: the metering dashboard (001), the portfolio report (002), the
operations report (000) and the data quality of the last build, as a Streamlit app over the marts.

`streamlit run dashboard/app.py` (or `make dashboard`). Every query goes through `dashboard.data`.
"""
