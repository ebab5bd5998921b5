"""Pure-function tests of the portfolio cohort Python models (002 #26's worked example)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

MODELS = Path(__file__).resolve().parents[2] / "python_models" / "portfolio"


def load(name: str):
    # named by its path (python_models.portfolio.<name>), as a mutation tool that maps a mutant
    # to its module by the file path expects (docs/mutation/python.md)
    spec = importlib.util.spec_from_file_location(
        f"python_models.portfolio.{name}", MODELS / f"{name}.py"
    )
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


# --- what the mutation testing of these models found untested (docs/mutation/python.md) -------

MODULES = {"default": default_cohorts, "churn": churn_cohorts}
MATRIX = {
    "default": default_cohorts.default_cohort_matrix,
    "churn": churn_cohorts.churn_cohort_matrix,
}


class FakeColumn:
    """A column expression of the fake pyspark.sql.functions: count or sum of a column or literal,
    named by alias(). Evaluated on a pandas group as Spark does (count skips NULLs)."""

    def __init__(self, function, argument, name=None):
        self.function, self.argument, self.name = function, argument, name

    def alias(self, name):
        assert isinstance(name, str), name
        return FakeColumn(self.function, self.argument, name)

    def evaluate(self, frame, resolve):
        if isinstance(self.argument, tuple):  # lit(value)
            values = pd.Series([self.argument[1]] * len(frame), dtype=object)
        else:
            values = frame[resolve(self.argument)]
        return values.notna().sum() if self.function == "count" else values.sum()


class FakeFunctions:
    @staticmethod
    def lit(value):
        return ("lit", value)

    @staticmethod
    def count(argument):
        assert isinstance(argument, str | tuple), argument
        return FakeColumn("count", argument)

    @staticmethod
    def sum(argument):
        assert isinstance(argument, str), argument
        return FakeColumn("sum", argument)


class FakeSparkFrame:
    """The few Spark DataFrame methods engine_cells calls, over pandas. Column names resolve
    case-insensitively (spark.sql.caseSensitive is false by default) and keep their spelling;
    a rename of a missing column is a no-op, as in Spark."""

    def __init__(self, frame):
        self.frame = frame

    def resolve(self, name):
        found = [c for c in self.frame.columns if c.lower() == name.lower()]
        assert len(found) == 1, f"cannot resolve {name!r} among {list(self.frame.columns)}"
        return found[0]

    def filter(self, condition):
        column, _, rest = condition.partition(" ")
        assert rest.lower() == "is not null", condition
        return FakeSparkFrame(self.frame.loc[self.frame[self.resolve(column)].notna()])

    def withColumnRenamed(self, existing, new):  # noqa: N802 (Spark's name)
        assert isinstance(existing, str) and isinstance(new, str)
        if not any(c.lower() == existing.lower() for c in self.frame.columns):
            return self
        return FakeSparkFrame(self.frame.rename(columns={self.resolve(existing): new}))

    def groupBy(self, *keys):  # noqa: N802
        spark = self
        columns = [self.resolve(k) for k in keys]

        class Grouped:
            def agg(self, *expressions):
                assert all(isinstance(e, FakeColumn) and e.name for e in expressions), expressions
                rows = []
                for values, group in spark.frame.groupby(columns, dropna=False):
                    row = dict(zip(columns, values, strict=True))
                    for e in expressions:
                        row[e.name] = e.evaluate(group, spark.resolve)
                    rows.append(row)
                return FakeSparkFrame(pd.DataFrame(rows))

        return Grouped()

    def toPandas(self):  # noqa: N802
        return self.frame.copy()


@pytest.fixture()
def fake_pyspark(monkeypatch):
    """`from pyspark.sql import functions as F` answered by FakeFunctions (pyspark itself lives in
    .venv-pyspark, where make check-bigquery runs the models on a real SparkSession)."""
    import sys
    import types

    package, sql = types.ModuleType("pyspark"), types.ModuleType("pyspark.sql")
    sql.functions = FakeFunctions
    package.sql = sql
    monkeypatch.setitem(sys.modules, "pyspark", package)
    monkeypatch.setitem(sys.modules, "pyspark.sql", sql)
    monkeypatch.setitem(sys.modules, "pyspark.sql.functions", FakeFunctions)


def opco_split_example() -> pd.DataFrame:
    frame = worked_example()
    frame.loc[frame["account_id"] < 40, "opco"] = "Benin"
    frame.loc[frame["account_id"] == 3, "is_defaulted"] = 1
    return frame


@pytest.mark.parametrize("name", ["default", "churn"])
def test_the_spark_branch_counts_the_cells_pandas_counts(name, fake_pyspark):
    module = MODULES[name]
    frame = opco_split_example()
    keys = module.CELL_KEYS
    in_spark = module.engine_cells(FakeSparkFrame(frame))
    in_pandas = module.account_month_cells(frame)
    assert sorted(in_spark.columns) == sorted(in_pandas.columns)
    in_spark = in_spark.sort_values(keys).reset_index(drop=True)[list(in_pandas.columns)]
    in_pandas = in_pandas.sort_values(keys).reset_index(drop=True)
    assert len(in_spark) == 14  # the Pre-Portfolio account left out
    pd.testing.assert_frame_equal(in_spark, in_pandas, check_dtype=False)


class FakeDbt:
    def __init__(self, frame):
        self.frame, self.configured, self.refs = frame, {}, []

    def config(self, **kwargs):
        self.configured.update(kwargs)

    def ref(self, name):
        self.refs.append(name)
        assert name == "fct_portfolio_account_monthly", name
        return self.frame


@pytest.mark.parametrize("name", ["default", "churn"])
def test_model_wires_the_ref_into_the_matrix_as_a_table(name):
    frame = opco_split_example()
    dbt = FakeDbt(frame)
    result = MODULES[name].model(dbt, session=None)
    assert dbt.configured == {"materialized": "table"}
    assert dbt.refs == ["fct_portfolio_account_monthly"]
    pd.testing.assert_frame_equal(result, MATRIX[name](frame))


@pytest.mark.parametrize("name", ["default", "churn"])
def test_cells_and_matrix_types_and_columns(name):
    module = MODULES[name]
    cells = module.account_month_cells(worked_example())
    assert str(cells["months_since_installation"].dtype) == "int64"
    matrix = MATRIX[name](worked_example())
    expected = {
        "default": [
            "cohort_month",
            "opco",
            "months_since_installation",
            "activity_month",
            "cohort_size",
            "churned_accounts",
            "accounts_not_churned",
            "defaulted_accounts",
            "portfolio_in_default_pct",
        ],
        "churn": [
            "cohort_month",
            "opco",
            "months_since_installation",
            "activity_month",
            "cohort_size",
            "churned_accounts",
            "churned_pct",
        ],
    }[name]
    assert list(matrix.columns) == expected
    assert list(matrix.index) == list(range(len(matrix)))
    for column in expected:
        if column.endswith("_pct"):
            assert str(matrix[column].dtype) == "float64", column
        elif column.endswith(("_size", "_accounts", "_not_churned", "_installation")):
            assert str(matrix[column].dtype) == "int64", column
    first = matrix.iloc[1]
    assert first["cohort_month"] == dt.date(2026, 1, 1)  # DATE, not a timestamp
    assert first["activity_month"] == dt.date(2026, 2, 1)


def shrinking_cohort() -> pd.DataFrame:
    """Three accounts installed in January; two are no longer in the data from February on (an
    account-month table need not keep every account for ever). At month 1 one account is left."""
    frame = worked_example()
    frame = frame.loc[(frame["account_id"] < 3) | (frame["account_id"] == 999)].copy()
    frame = frame.loc[~((frame["account_id"] > 0) & (frame["months_since_installation"] >= 1))]
    return frame.reset_index(drop=True)


def test_the_cohort_size_is_the_installed_count_of_month_0():
    for name in ("default", "churn"):
        matrix = MATRIX[name](shrinking_cohort())
        assert (matrix["cohort_size"] == 3).all(), name
        assert len(matrix) == 7


def test_one_account_left_is_a_denominator_of_one():
    frame = shrinking_cohort()
    frame.loc[
        (frame["account_id"] == 0) & (frame["months_since_installation"] == 1), "is_defaulted"
    ] = 1
    frame.loc[frame["account_id"] == 0, "is_churned"] = 0
    default = default_cohorts.default_cohort_matrix(frame)
    # 3 installed, 0 churned: 1 defaulted of 3 not churned
    assert cell(default, 1)["portfolio_in_default_pct"] == pytest.approx(1 / 3)
    single = worked_example()
    single = single.loc[single["account_id"].isin([0, 999])].copy()
    single.loc[single["months_since_installation"] == 2, "is_churned"] = 1
    churn = churn_cohorts.churn_cohort_matrix(single)
    assert cell(churn, 0)["cohort_size"] == 1
    assert cell(churn, 2)["churned_pct"] == 1.0
    assert cell(churn, 1)["churned_pct"] == 0.0
    # a cohort of one with the account defaulted, none churned: 1 / (1 - 0)
    single.loc[single["months_since_installation"] == 2, ["is_churned", "is_defaulted"]] = [0, 1]
    assert cell(default_cohorts.default_cohort_matrix(single), 2)["portfolio_in_default_pct"] == 1.0


def test_every_account_churned_is_null_even_when_flagged_defaulted_too():
    frame = worked_example()
    frame["is_churned"] = 1
    frame["is_defaulted"] = 1
    matrix = default_cohorts.default_cohort_matrix(frame)
    assert matrix["portfolio_in_default_pct"].isna().all()  # never inf


@pytest.mark.parametrize("name", ["default", "churn"])
def test_engine_cells_error_names_what_it_got(name):
    with pytest.raises(TypeError, match=r"DuckDB relation or pandas DataFrame: \[1, 2, 3\]"):
        MODULES[name].engine_cells([1, 2, 3])


@pytest.mark.parametrize("name", ["default", "churn"])
@pytest.mark.parametrize("dtype", ["int32", "float64"])
def test_the_matrix_casts_months_since_installation_to_int64(name, dtype):
    """DuckDB's INTEGER arrives as int32, a Spark column with NULLs as float: always BIGINT out."""
    module = MODULES[name]
    cells = module.account_month_cells(worked_example())
    cells["months_since_installation"] = cells["months_since_installation"].astype(dtype)
    if name == "default":
        matrix = module.default_matrix_from_cells(cells)
    else:
        matrix = module.churn_matrix_from_cells(cells)
    assert str(matrix["months_since_installation"].dtype) == "int64"
    assert list(matrix["months_since_installation"]) == list(range(7))
