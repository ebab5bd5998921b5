"""The portfolio categorisation's worked examples, run through its whole chain of models.

The month-end categorisation is a chain (docs/portfolio.md, "How the month-ends are built"): the
accounts' first orders, the contracts' flags, the dated facts, the contracts' due months, the
state at each month-end carried forward in time linear in the events, and the categories. A dbt
unit test mocks one model's direct parents only; these cases give the rows of the raw inputs the
chain reads (tests/fixtures/portfolio_chain/*.yml, dbt's given / expect format) and build the
chain on them with `dbt run` on DuckDB, in a scratch file whose input relations are tables typed
as in the CI build. The full refresh path is run; the incremental one is compared with it on
generated data by tests/python/test_incremental.py and `make same-numbers`.

dbt compiles the chain once (`dbt compile --full-refresh`); each case then runs the compiled SQL
of its models, in order, on its own scratch DuckDB file (a view or a table per model, as
materialized).
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import ROOT, dbt_target_path, unavailable, warehouse_path

CASES = sorted((ROOT / "tests" / "fixtures" / "portfolio_chain").glob("*.yml"))
CHAIN = [
    "int_accounts_ordered",
    "int_contracts_flagged",
    "int_account_facts_dated",
    "int_accounts_contracted_monthly",
    "int_accounts_stated_monthly",
    "int_accounts_categorised_monthly",
]
TESTED = "int_accounts_categorised_monthly"


def _cases() -> list[dict]:
    cases = []
    for path in CASES:
        for case in yaml.safe_load(path.read_text())["cases"]:
            cases.append(pytest.param(case, id=case["name"]))
    return cases


def _relations() -> dict[str, tuple[str, str]]:
    """Model or seed name -> (schema, identifier) in the CI build, from its manifest."""
    import json

    manifest = dbt_target_path() / "manifest.json"
    if not manifest.exists():
        unavailable(f"{manifest} not found: run `make dbt-ci` first")
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {
        node["name"]: (node["schema"], node.get("alias") or node["name"])
        for node in nodes
        if node["resource_type"] in ("model", "seed")
    }


def _normal(value):
    """A value as the expectation writes it: dates as ISO text, numbers as Decimal."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | decimal.Decimal):
        return decimal.Decimal(str(value)).normalize()
    return str(value)


def _load_inputs(con, case: dict, relations: dict[str, tuple[str, str]]) -> None:
    """Every input of the case as a table typed like the CI build's relation."""
    if not warehouse_path().exists():
        unavailable(f"warehouse {warehouse_path()} not built: run `make dbt-ci` first")
    con.execute(f"attach '{warehouse_path()}' as built (read_only)")
    for given in case["given"]:
        name = given["input"].removeprefix("ref('").removesuffix("')")
        schema, identifier = relations[name]
        con.execute(f"create schema if not exists {schema}")
        con.execute(
            f"create table {schema}.{identifier} as "
            f"select * from built.{schema}.{identifier} limit 0"
        )
        for row in given["rows"]:
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            con.execute(
                f"insert into {schema}.{identifier} ({columns}) values ({marks})",
                list(row.values()),
            )
    con.execute("detach built")


@pytest.fixture(scope="module")
def compiled_chain(tmp_path_factory) -> list[tuple[str, str, str, str]]:
    """(materialization, schema, identifier, compiled SQL) of each model of the chain, in order."""
    import json

    scratch = tmp_path_factory.mktemp("portfolio_chain")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_DUCKDB_PATH": str(scratch / "ci.duckdb"),
        "DBT_LOG_PATH": str(scratch / "logs"),
    }
    env.pop("DBT_TARGET_PATH", None)
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt), "compile", "--target", "ci", "--full-refresh", "--select", *CHAIN]
    command += ["--target-path", str(scratch / "target")]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
    nodes = json.loads((scratch / "target" / "manifest.json").read_text())["nodes"]
    by_name = {node["name"]: node for node in nodes.values() if node["resource_type"] == "model"}
    return [
        (
            by_name[name]["config"]["materialized"],
            by_name[name]["schema"],
            by_name[name].get("alias") or name,
            by_name[name]["compiled_code"],
        )
        for name in CHAIN
    ]


@pytest.mark.parametrize("case", _cases())
def test_worked_example_through_the_chain(case, compiled_chain, tmp_path):
    relations = _relations()
    # the same file name as the CI build: the same catalog name as in the compiled SQL
    with duckdb.connect(str(tmp_path / "ci.duckdb")) as con:
        _load_inputs(con, case, relations)
        for materialized, schema, identifier, sql in compiled_chain:
            kind = "view" if materialized == "view" else "table"
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create {kind} {schema}.{identifier} as {sql}")

    expected = case["expect"]["rows"]
    columns = list(dict.fromkeys(column for row in expected for column in row))
    schema, identifier = relations[TESTED]
    with duckdb.connect(str(tmp_path / "ci.duckdb"), read_only=True) as con:
        actual = con.execute(f"select {', '.join(columns)} from {schema}.{identifier}").fetchall()
    want = sorted(
        (tuple(_normal(row.get(column)) for column in columns) for row in expected), key=repr
    )
    got = sorted((tuple(_normal(value) for value in row) for row in actual), key=repr)
    assert got == want, f"columns {columns}"
