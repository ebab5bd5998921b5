"""Pure-function tests of the portfolio cohort Python models (002 #26's worked example)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

MODELS = Path(__file__).resolve().parents[2] / "python_models" / "portfolio"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


default_cohorts = load("fct_portfolio_default_cohorts")
churn_cohorts = load("fct_portfolio_churn_cohorts")

COHORT = pd.Timestamp("2026-01-01")


def month(k: int) -> pd.Timestamp:
    return COHORT + pd.DateOffset(months=k)


def worked_example() -> pd.DataFrame:
    """100 accounts installed in January 2026 (cohort), followed to the sixth month.

    Month 5: 60 normal, 10 late, 20 defaulted, 10 churned. Month 6: 15 churned, 20 defaulted.
    """
    states = {
        5: ["Normal"] * 60 + ["Late"] * 10 + ["Defaulted"] * 20 + ["Churned"] * 10,
        6: ["Normal"] * 55 + ["Late"] * 10 + ["Defaulted"] * 20 + ["Churned"] * 15,
    }
    rows = []
    for account_id in range(100):
        for k in range(7):
            state = states.get(k, ["Normal"] * 100)[account_id]
            rows.append(
                {
                    "account_id": account_id,
                    "opco": "Kenya",
                    "installation_month": COHORT,
                    "activity_month": month(k),
                    "months_since_installation": k,
                    "is_defaulted": int(state == "Defaulted"),
                    "is_churned": int(state == "Churned"),
                }
            )
    # an account still in the Pre-Portfolio: no installation, never in a cohort
    rows.append(
        {
            "account_id": 999,
            "opco": "Kenya",
            "installation_month": pd.NaT,
            "activity_month": month(0),
            "months_since_installation": None,
            "is_defaulted": 0,
            "is_churned": 0,
        }
    )
    return pd.DataFrame(rows)


def cell(matrix: pd.DataFrame, k: int) -> pd.Series:
    found = matrix.loc[matrix["months_since_installation"] == k]
    assert len(found) == 1
    return found.iloc[0]


def test_worked_example_month_5_is_22_percent():
    matrix = default_cohorts.default_cohort_matrix(worked_example())
    fifth = cell(matrix, 5)
    assert fifth["cohort_size"] == 100
    assert fifth["churned_accounts"] == 10
    assert fifth["defaulted_accounts"] == 20
    assert fifth["accounts_not_churned"] == 90
    assert fifth["portfolio_in_default_pct"] == pytest.approx(20 / 90)
    assert round(fifth["portfolio_in_default_pct"] * 100) == 22


def test_worked_example_month_6_is_24_percent_and_month_5_stays_22():
    matrix = default_cohorts.default_cohort_matrix(worked_example())
    sixth = cell(matrix, 6)
    assert sixth["cohort_size"] == 100  # the original cohort size, never reduced
    assert sixth["portfolio_in_default_pct"] == pytest.approx(20 / 85)
    assert round(sixth["portfolio_in_default_pct"] * 100) == 24
    assert round(cell(matrix, 5)["portfolio_in_default_pct"] * 100) == 22


def test_default_matrix_grain_and_pre_portfolio_left_out():
    matrix = default_cohorts.default_cohort_matrix(worked_example())
    assert len(matrix) == 7
    assert not matrix.duplicated(["cohort_month", "opco", "months_since_installation"]).any()
    assert (matrix["cohort_size"] == 100).all()


def test_every_account_churned_gives_null_not_division_error():
    frame = worked_example()
    frame["is_churned"] = 1
    frame["is_defaulted"] = 0
    matrix = default_cohorts.default_cohort_matrix(frame)
    assert matrix["portfolio_in_default_pct"].isna().all()


def test_churn_matrix_worked_example():
    matrix = churn_cohorts.churn_cohort_matrix(worked_example())
    assert cell(matrix, 5)["churned_pct"] == pytest.approx(0.10)
    assert cell(matrix, 6)["churned_pct"] == pytest.approx(0.15)
    assert cell(matrix, 0)["churned_pct"] == 0


def test_cohorts_split_by_opco_keep_their_own_size():
    frame = worked_example()
    frame.loc[frame["account_id"] < 40, "opco"] = "Benin"
    matrix = default_cohorts.default_cohort_matrix(frame)
    sizes = matrix.groupby("opco")["cohort_size"].max().to_dict()
    assert sizes == {"Benin": 40, "Kenya": 60}


def test_the_engine_counts_the_cells_pandas_counts():
    """DuckDB aggregates the account-months itself; the cells and the matrix are the same."""
    import duckdb

    frame = worked_example()
    frame.loc[frame["account_id"] < 40, "opco"] = "Benin"
    con = duckdb.connect()
    con.register("account_months", frame)
    relation = con.table("account_months")
    for module, matrix in (
        (default_cohorts, default_cohorts.default_matrix_from_cells),
        (churn_cohorts, churn_cohorts.churn_matrix_from_cells),
    ):
        keys = module.CELL_KEYS
        in_engine = module.engine_cells(relation).sort_values(keys).reset_index(drop=True)
        in_pandas = module.account_month_cells(frame).sort_values(keys).reset_index(drop=True)
        assert len(in_engine) == 14  # 2 opcos x 7 months; the Pre-Portfolio account left out
        pd.testing.assert_frame_equal(
            matrix(in_engine), matrix(in_pandas), check_dtype=False, check_like=True
        )


def test_engine_cells_refuses_what_it_cannot_read():
    with pytest.raises(TypeError):
        default_cohorts.engine_cells([1, 2, 3])
