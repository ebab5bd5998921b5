"""Portfolio in Default (Cohorts), 002 #26: one row per installation month x opco x months since
installation.

Cell = accounts Defaulted at that month-end / (original cohort size - accounts Churned at that
month-end). The cohort size is the original count of accounts installed in the month, never
reduced. Counts are stored beside the percentage so a BI tool can re-aggregate across opcos.

The logic lives in plain pandas functions; `model()` only wires `dbt.ref()` in and the DataFrame
out, so the file runs unchanged on DuckDB (`.df()`) and as a BigQuery Python model (`.toPandas()`).
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
    "is_defaulted",
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


def cohort_months(account_months: pd.DataFrame) -> pd.DataFrame:
    """The installed account-months of each cohort, with the original cohort size beside them."""
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
    return installed.merge(sizes, on=COHORT_KEYS, how="inner")


def cohort_cells(account_months: pd.DataFrame) -> pd.DataFrame:
    """Counts per cohort and months since installation: defaulted and churned at that month-end."""
    cells = (
        cohort_months(account_months)
        .groupby(
            [*COHORT_KEYS, "months_since_installation", "activity_month", "cohort_size"],
            as_index=False,
        )
        .agg(
            defaulted_accounts=("is_defaulted", "sum"),
            churned_accounts=("is_churned", "sum"),
        )
    )
    for column in ["cohort_size", "defaulted_accounts", "churned_accounts"]:
        cells[column] = cells[column].astype("int64")
    return cells


def default_cohort_matrix(account_months: pd.DataFrame) -> pd.DataFrame:
    """002 #26: defaulted / (cohort size - churned by then), per cohort cell (long format)."""
    cells = cohort_cells(account_months)
    for column in ["cohort_month", "activity_month"]:
        cells[column] = pd.to_datetime(cells[column]).dt.date  # DATE on DuckDB and BigQuery
    cells["accounts_not_churned"] = cells["cohort_size"] - cells["churned_accounts"]
    denominator = cells["accounts_not_churned"].where(cells["accounts_not_churned"] > 0)
    cells["portfolio_in_default_pct"] = (cells["defaulted_accounts"] / denominator).astype(
        "float64"
    )
    columns = [
        "cohort_month",
        "opco",
        "months_since_installation",
        "activity_month",
        "cohort_size",
        "churned_accounts",
        "accounts_not_churned",
        "defaulted_accounts",
        "portfolio_in_default_pct",
    ]
    return cells[columns].sort_values(columns[:3]).reset_index(drop=True)


def model(dbt, session):
    dbt.config(materialized="table")
    account_months = to_pandas(dbt.ref("fct_portfolio_account_monthly"), INPUT_COLUMNS)
    return default_cohort_matrix(account_months)
