"""great-expectations validation of the marts (issue 7): `python -m energy_dw.validation`.

See docs/validation.md: the suites (suites.py), their building blocks (checks.py) and the two
engines they read through (engines.py: DuckDB locally, BigQuery in production).
"""
