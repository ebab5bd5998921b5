"""The dbt Python models on the BigQuery path: PySpark in, the model's DataFrame out.

On BigQuery, dbt-bigquery runs a Python model on Dataproc: `dbt.ref()` returns a Spark DataFrame
read from BigQuery, and whatever `model()` returns (pandas or Spark) goes through the wrapper's
conversion (pandas -> pyspark.pandas -> Spark, else `spark.createDataFrame`) before it is
written. This test does the same on a local SparkSession: every `python_models/**/*.py` model
gets a stand-in `dbt` whose `ref()` gives a Spark DataFrame of the upstream table (built on
DuckDB, typed as the BigQuery connector types it), and its result must equal the table dbt-duckdb
built for the same model.

It needs pyspark, which lives in .venv-pyspark: `make check-bigquery` runs it there
(BQ_CHECK_REQUIRE_PYSPARK=1) against the DuckDB build it makes. In the project's .venv it skips.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from energy_dw.bigquery.compare import built_models, compare_rows  # noqa: E402

if os.environ.get("BQ_CHECK_REQUIRE_PYSPARK") != "1":
    pytest.importorskip("pyspark", reason="pyspark lives in .venv-pyspark (make check-bigquery)")

PYTHON_MODELS = sorted(
    path
    for path in (ROOT / "python_models").rglob("*.py")
    if re.search(r"^def model\(dbt, session\)", path.read_text(), re.MULTILINE)
)


def duckdb_paths() -> tuple[Path, Path]:
    ci = ROOT / "target" / "ci"  # what make dbt-ci builds
    database = Path(os.environ.get("BQ_CHECK_DUCKDB_PATH", ci / "ci.duckdb"))
    manifest = Path(os.environ.get("BQ_CHECK_DUCKDB_MANIFEST", ci / "manifest.json"))
    return database, manifest


def spark_type(duckdb_type: str):
    """The Spark type the BigQuery connector gives the BigQuery type of this DuckDB column."""
    from pyspark.sql import types as T

    name = duckdb_type.upper()
    if name.startswith("DECIMAL"):
        return T.DecimalType(38, 9)  # BigQuery NUMERIC
    if name in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT"):
        return T.LongType()  # INT64
    if name in ("DOUBLE", "FLOAT", "REAL"):
        return T.DoubleType()  # FLOAT64
    if name == "BOOLEAN":
        return T.BooleanType()
    if name == "DATE":
        return T.DateType()
    if name.startswith("TIMESTAMP"):
        return T.TimestampType()
    return T.StringType()


def to_bigquery_value(value):
    if isinstance(value, decimal.Decimal):
        return value.quantize(decimal.Decimal("0.000000001"))
    return value


class StandInDbt:
    """What a dbt-bigquery Python model sees as `dbt`, reading refs from the DuckDB build."""

    def __init__(self, spark, con, relations: dict, name: str):
        self.spark, self.con, self.relations, self.name = spark, con, relations, name
        self.configured: dict = {}

    def config(self, **kwargs) -> None:
        self.configured.update(kwargs)

    def is_incremental(self) -> bool:
        return False

    @property
    def this(self) -> str:
        relation = self.relations[self.name]
        return f"{relation.database}.{relation.schema}.{relation.identifier}"

    def ref(self, *names, **_kwargs):
        from pyspark.sql import types as T

        relation = self.relations[names[-1]]
        table = f'"{relation.schema}"."{relation.identifier}"'
        described = self.con.execute(f"describe select * from {table}").fetchall()
        schema = T.StructType(
            [T.StructField(column, spark_type(kind), True) for column, kind, *_ in described]
        )
        rows = [
            tuple(map(to_bigquery_value, row))
            for row in self.con.execute(f"select * from {table}").fetchall()
        ]
        return self.spark.createDataFrame(rows, schema)


def dbt_bigquery_wrapper(spark, df):
    """dbt-bigquery's conversion of the returned DataFrame (materializations/table.sql)."""
    import pandas
    import pyspark

    try:
        import pyspark.pandas

        pyspark_pandas_api_available = True
    except ImportError:
        pyspark_pandas_api_available = False
    if pyspark_pandas_api_available and isinstance(df, pandas.core.frame.DataFrame):
        df = pyspark.pandas.frame.DataFrame(df)
    if isinstance(df, pyspark.sql.dataframe.DataFrame):
        return df
    if pyspark_pandas_api_available and isinstance(df, pyspark.pandas.frame.DataFrame):
        return df.to_spark()
    if isinstance(df, pandas.core.frame.DataFrame):
        return spark.createDataFrame(df)
    raise TypeError(f"{type(df)} is not a supported type for dbt Python materialization")


def comparable(value):
    """A collected value for the row comparison: a midnight datetime compares as its date (the
    column types are compared on their own, in test_python_model_on_spark_equals_duckdb)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date()
    if isinstance(value, float) and value != value:  # NaN is written as NULL
        return None
    return value


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("energy-dw-bigquery-python-models")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def duckdb_build():
    import duckdb

    database, manifest = duckdb_paths()
    if not database.exists() or not manifest.exists():
        if os.environ.get("BQ_CHECK_REQUIRE_PYSPARK") == "1" or os.environ.get("CI") == "true":
            pytest.fail(f"DuckDB build {database} / {manifest} missing")
        pytest.skip(f"DuckDB build {database} / {manifest} missing")
    con = duckdb.connect(str(database), read_only=True)
    yield con, built_models(manifest)
    con.close()


def load_model(path: Path):
    spec = importlib.util.spec_from_file_location(f"python_model_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_python_models_found():
    assert PYTHON_MODELS, "no dbt Python model found under python_models/"


@pytest.mark.parametrize("path", PYTHON_MODELS, ids=lambda p: p.stem)
def test_python_model_on_spark_equals_duckdb(path, spark, duckdb_build):
    con, relations = duckdb_build
    name = path.stem
    assert name in relations, f"{name} was not built on DuckDB"
    module = load_model(path)
    result = dbt_bigquery_wrapper(
        spark, module.model(StandInDbt(spark, con, relations, name), spark)
    )

    relation = relations[name]
    table = f'"{relation.schema}"."{relation.identifier}"'
    described = con.execute(f"describe select * from {table}").fetchall()
    duck_columns = [column for column, *_ in described]
    assert result.columns == duck_columns
    problems = [
        f"column {column}: {field.dataType.simpleString()} on BigQuery (Spark), {kind} on DuckDB"
        for field, (column, kind, *_) in zip(result.schema.fields, described, strict=True)
        if field.dataType != spark_type(kind)
    ]
    spark_rows = [tuple(map(comparable, row)) for row in result.collect()]
    duck_rows = [
        tuple(map(comparable, row)) for row in con.execute(f"select * from {table}").fetchall()
    ]
    problems += compare_rows(name, duck_columns, spark_rows, duck_rows).problems
    assert not problems, f"{name} differs between BigQuery (Spark) and DuckDB:\n" + "\n".join(
        problems
    )
