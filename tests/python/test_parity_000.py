"""Parity of the operations marts with the 17 queries of the operations report (000).

Each original query (tests/fixtures/operations_000/NN_*.sql, verbatim from 000) runs against the
raw seed tables of the built DuckDB warehouse, translated only as far as DuckDB requires:

- the backticked `project.dataset.table` names become the DuckDB `dataset.table` of the seeds;
- sqlglot transpiles BigQuery to DuckDB;
- CURRENT_TIMESTAMP() / CURRENT_DATE() become the as-of moment: the midnight after the as-of
  date read from util_as_of_date (the refresh moment of the report).

The matching rewritten query of analyses/ (operations_000_NN_*.sql, compiled by `dbt compile`)
runs over the marts. Both must return the same rows, in the same order on the columns the original
query orders by (rows tied on those columns may come in any order, as in BigQuery).
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "operations_000"
ANALYSES = ROOT / "analyses"
QUERY_IDS = sorted(p.name[:2] for p in FIXTURES.glob("[0-9][0-9]_*.sql"))
BACKTICKED = re.compile(r"`[^`.]+\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)`")


def warehouse_path() -> Path:
    return Path(os.environ.get("DBT_DUCKDB_PATH", ROOT / "target" / "ci" / "ci.duckdb"))


# --- translation of the original queries ---------------------------------------------------


def translate_original(sql: str, as_of_date: dt.date) -> str:
    """BigQuery text of 000 -> DuckDB SQL over the raw seed schemas, at the as-of moment."""
    sql = BACKTICKED.sub(r"\1.\2", sql)
    refresh = as_of_date + dt.timedelta(days=1)  # CURRENT_TIMESTAMP(): midnight after as-of

    def pin_clock(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.CurrentTimestamp):
            return exp.cast(exp.Literal.string(f"{refresh} 00:00:00"), "TIMESTAMP")
        if isinstance(node, exp.CurrentDate):
            return exp.cast(exp.Literal.string(str(refresh)), "DATE")
        return node

    tree = sqlglot.parse_one(sql, read="bigquery").transform(pin_clock)
    return tree.sql(dialect="duckdb")


def order_positions(sql: str) -> list[int]:
    """Positions in the select list of the columns the original query orders by."""
    tree = sqlglot.parse_one(BACKTICKED.sub(r"\1.\2", sql), read="bigquery")
    names = [(e.alias_or_name or "").lower() for e in tree.expressions]
    positions = []
    for ordered in tree.args["order"].expressions if tree.args.get("order") else []:
        key = ordered.this
        name = (key.alias_or_name if isinstance(key, exp.Column) else key.sql()).lower()
        if name not in names:
            raise AssertionError(f"ORDER BY {name} is not an output column of {names}")
        positions.append(names.index(name))
    return positions


# --- comparison ------------------------------------------------------------------------------


def normalise(value):
    if isinstance(value, decimal.Decimal | float):
        return round(float(value), 6)
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


def normalise_rows(rows: list[tuple]) -> list[tuple]:
    return [tuple(normalise(v) for v in row) for row in rows]


def compare(expected: list[tuple], actual: list[tuple], order: list[int]) -> list[str]:
    """Differences between the original's rows and the analysis's rows (empty: equal)."""
    expected, actual = normalise_rows(expected), normalise_rows(actual)
    problems = []
    if expected and actual and len(expected[0]) != len(actual[0]):
        problems.append(f"column count {len(expected[0])} != {len(actual[0])}")
    if sorted(expected, key=repr) != sorted(actual, key=repr):
        missing = [r for r in expected if r not in actual][:5]
        extra = [r for r in actual if r not in expected][:5]
        problems.append(f"rows differ: missing {missing}, unexpected {extra}")
    elif order:
        keys = [tuple(row[i] for i in order) for row in expected]
        if keys != [tuple(row[i] for i in order) for row in actual]:
            problems.append(f"order on columns {order} differs")
    return problems


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def compiled_analyses(tmp_path_factory) -> dict[str, str]:
    """The analyses compiled by `dbt compile`, read from the target path's compiled/ folder.

    Compiling needs no data, so dbt gets an empty DuckDB file named like the warehouse (the
    compiled SQL names the database by the file's stem) and never locks the real one.
    """
    if not warehouse_path().exists():
        pytest.skip(f"warehouse {warehouse_path()} not built")
    work = tmp_path_factory.mktemp("parity_compile")
    target_path = work / "target"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_DUCKDB_PATH": str(work / warehouse_path().name),
    }
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "compile", "--target", "ci", "--target-path", str(target_path)]
        + ["--select", "path:analyses", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = target_path / "compiled" / "energy_warehouse" / "analyses"
    return {p.name.split("_")[2]: p.read_text() for p in compiled.glob("operations_000_*.sql")}


@pytest.fixture()
def as_of_date(warehouse) -> dt.date:
    return warehouse.sql("select as_of_date from utilities.util_as_of_date").fetchall()[0][0]


def original_sql(query_id: str) -> str:
    (path,) = FIXTURES.glob(f"{query_id}_*.sql")
    return path.read_text()


# --- tests -----------------------------------------------------------------------------------


def test_every_query_has_a_fixture_and_an_analysis():
    assert len(QUERY_IDS) == 17
    for query_id in QUERY_IDS:
        assert len(list(ANALYSES.glob(f"operations_000_{query_id}_*.sql"))) == 1, query_id


@pytest.mark.parametrize("query_id", QUERY_IDS)
def test_analysis_matches_original(query_id, compiled_analyses, warehouse, as_of_date):
    original = original_sql(query_id)
    expected = warehouse.sql(translate_original(original, as_of_date)).fetchall()
    actual = warehouse.sql(compiled_analyses[query_id]).fetchall()
    assert expected, f"query {query_id} returns no rows on the seeds: parity would be vacuous"
    assert compare(expected, actual, order_positions(original)) == []


def test_comparison_detects_a_changed_number(compiled_analyses, warehouse, as_of_date):
    """Changing one number of a result, or the logic of a mart, breaks parity."""
    original = original_sql("15")
    expected = warehouse.sql(translate_original(original, as_of_date)).fetchall()
    order = order_positions(original)

    changed = [list(row) for row in expected]
    changed[0][3] += 1  # one more successful journey
    assert compare(expected, [tuple(row) for row in changed], order)

    # the mart's success count computed differently (failures counted as successes)
    sql = compiled_analyses["15"]
    mart = re.search(r'("[^"]+"\.)?"marts"\."fct_operations_digital_journeys_daily"', sql)
    assert mart, "analysis 15 no longer reads fct_operations_digital_journeys_daily"
    mutated = sql.replace(
        mart.group(0),
        f"(select * replace (attempts - successes as successes) from {mart.group(0)})",
    )
    assert compare(expected, warehouse.sql(mutated).fetchall(), order)


def test_comparison_detects_a_changed_order():
    rows = [("b", 2), ("a", 1)]
    assert compare(rows, list(reversed(rows)), order=[1])
    assert compare(rows, list(reversed(rows)), order=[]) == []
