"""Portfolio in Default (Cohorts), 002 #26: one row per installation month x opco x months since
installation.

Cell = accounts Defaulted at that month-end / (original cohort size - accounts Churned at that
month-end). The cohort size is the original count of accounts installed in the month, never
reduced. Counts are stored beside the percentage so a BI tool can re-aggregate across opcos.

The logic lives in plain pandas functions; `model()` only wires `dbt.ref()` in and the DataFrame
out, so the file runs unchanged on DuckDB (`.df()`) and as a BigQuery Python model (`.toPandas()`).
The account-months are first counted per cohort cell in the engine (`engine_cells`: a DuckDB
relation's `aggregate`, a Spark DataFrame's `groupBy`), so pandas receives a few thousand cells,
never the tens of millions of account-months of production.
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


CELL_KEYS = ["cohort_month", "opco", "months_since_installation", "activity_month"]
CELL_COUNTS = ["installed_accounts", "defaulted_accounts", "churned_accounts"]


def account_month_cells(account_months: pd.DataFrame) -> pd.DataFrame:
    """Installed account-months counted per cohort cell (pandas; `engine_cells` in the engine)."""
    installed = account_months.loc[
        account_months["months_since_installation"].notna(), INPUT_COLUMNS
    ].rename(columns={"installation_month": "cohort_month"})
    installed["months_since_installation"] = installed["months_since_installation"].astype("int64")
    return installed.groupby(CELL_KEYS, as_index=False).agg(
        installed_accounts=("account_id", "count"),
        defaulted_accounts=("is_defaulted", "sum"),
        churned_accounts=("is_churned", "sum"),
    )


def engine_cells(relation) -> pd.DataFrame:
    """`account_month_cells` computed where the rows are: Spark (BigQuery), DuckDB, or pandas."""
    installed = "months_since_installation is not null"
    if isinstance(relation, pd.DataFrame):
        return account_month_cells(relation)
    if hasattr(relation, "groupBy"):  # Spark DataFrame
        from pyspark.sql import functions as F  # noqa: N812 (the usual alias)

        return (
            relation.filter(installed)
            .withColumnRenamed("installation_month", "cohort_month")
            .groupBy(*CELL_KEYS)
            .agg(
                F.count(F.lit(1)).alias("installed_accounts"),
                F.sum("is_defaulted").alias("defaulted_accounts"),
                F.sum("is_churned").alias("churned_accounts"),
            )
            .toPandas()
        )
    if hasattr(relation, "aggregate"):  # DuckDB relation
        keys = "installation_month, opco, months_since_installation, activity_month"
        return (
            relation.filter(installed)
            .aggregate(
                f"{keys}, count(*) as installed_accounts, sum(is_defaulted) as defaulted_accounts,"
                " sum(is_churned) as churned_accounts",
                keys,
            )
            .df()
            .rename(columns={"installation_month": "cohort_month"})
        )
    raise TypeError(f"not a Spark DataFrame, DuckDB relation or pandas DataFrame: {relation!r}")


def cohort_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Per cohort and months since installation: the original cohort size (installed accounts
    in the cohort's own month), defaulted and churned at that month-end."""
    cells = cells.copy()
    cells["months_since_installation"] = cells["months_since_installation"].astype("int64")
    sizes = (
        cells.loc[cells["months_since_installation"] == 0]
        .groupby(COHORT_KEYS, as_index=False)["installed_accounts"]
        .sum()
        .rename(columns={"installed_accounts": "cohort_size"})
    )
    cells = cells.merge(sizes, on=COHORT_KEYS, how="inner")
    for column in ["cohort_size", "defaulted_accounts", "churned_accounts"]:
        cells[column] = cells[column].astype("int64")
    return cells


def default_cohort_matrix(account_months: pd.DataFrame) -> pd.DataFrame:
    """002 #26: defaulted / (cohort size - churned by then), per cohort cell (long format)."""
    return default_matrix_from_cells(account_month_cells(account_months))


def default_matrix_from_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The matrix from the counts per cohort cell (`account_month_cells` or `engine_cells`)."""
    cells = cohort_cells(cells)
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
    return default_matrix_from_cells(engine_cells(dbt.ref("fct_portfolio_account_monthly")))
