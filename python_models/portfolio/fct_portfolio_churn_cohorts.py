"""Churn cohorts: one row per installation month x opco x months since installation.

Cell = accounts Churned (Repossessed or Lost/Written Off) at that month-end / original cohort
size (the count of accounts installed in the month). An account that returns to the Contracted
Portfolio after churning stops counting as churned, as in the month-end Portfolio Category.

The logic lives in plain pandas functions; `model()` only wires `dbt.ref()` in and the DataFrame
out, so the file runs unchanged on DuckDB (`.df()`) and as a BigQuery Python model (`.toPandas()`).
Project modules cannot be imported by a BigQuery Python model, so the cohort helpers are repeated
here rather than shared with fct_portfolio_default_cohorts.
"""

from __future__ import annotations

import pandas as pd

COHORT_KEYS = ["cohort_month", "opco"]
INPUT_COLUMNS = [
    "account_id",
    "opco",
    "installation_month",
    "activity_month",
    "months_since_installation",
    "is_churned",
]


def to_pandas(relation, columns: list[str] | None = None) -> pd.DataFrame:
    """A DataFrame from what `dbt.ref()` returns: Spark (BigQuery), DuckDB relation, or pandas.

    With `columns`, only those are read (projected in the engine before any row reaches pandas:
    the account-month fact has some 65 columns and the matrix needs six).
    """
    if columns is not None and hasattr(relation, "select"):
        relation = relation.select(*columns)  # Spark DataFrame and DuckDB relation alike
    if hasattr(relation, "toPandas"):
        return relation.toPandas()
    if hasattr(relation, "df"):
        return relation.df()
    return relation if columns is None else relation[columns]


def churn_cohort_matrix(account_months: pd.DataFrame) -> pd.DataFrame:
    """Churned at each month-end / original cohort size, per cohort cell (long format)."""
    installed = account_months.loc[
        account_months["months_since_installation"].notna(), INPUT_COLUMNS
    ].rename(columns={"installation_month": "cohort_month"})
    installed["months_since_installation"] = installed["months_since_installation"].astype("int64")
    sizes = (
        installed.loc[installed["months_since_installation"] == 0]
        .groupby(COHORT_KEYS, as_index=False)["account_id"]
        .nunique()
        .rename(columns={"account_id": "cohort_size"})
    )
    cells = (
        installed.merge(sizes, on=COHORT_KEYS, how="inner")
        .groupby(
            [*COHORT_KEYS, "months_since_installation", "activity_month", "cohort_size"],
            as_index=False,
        )
        .agg(churned_accounts=("is_churned", "sum"))
    )
    for column in ["cohort_size", "churned_accounts"]:
        cells[column] = cells[column].astype("int64")
    for column in ["cohort_month", "activity_month"]:
        cells[column] = pd.to_datetime(cells[column]).dt.date  # DATE on DuckDB and BigQuery
    denominator = cells["cohort_size"].where(cells["cohort_size"] > 0)
    cells["churned_pct"] = (cells["churned_accounts"] / denominator).astype("float64")
    columns = [
        "cohort_month",
        "opco",
        "months_since_installation",
        "activity_month",
        "cohort_size",
        "churned_accounts",
        "churned_pct",
    ]
    return cells[columns].sort_values(columns[:3]).reset_index(drop=True)


def model(dbt, session):
    dbt.config(materialized="table")
    account_months = to_pandas(dbt.ref("fct_portfolio_account_monthly"), INPUT_COLUMNS)
    return churn_cohort_matrix(account_months)
