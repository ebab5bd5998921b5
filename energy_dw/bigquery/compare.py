"""Same numbers on both engines: every model built on the BigQuery emulator and on DuckDB.

Reads each model's table on the emulator through the google-cloud-bigquery client (pointed at
the emulator, anonymous credentials) and the same model in the DuckDB file, then compares them
row for row: the same columns, the same number of rows, and the same rows once both sides are
sorted by all columns (floats and NUMERICs within a tolerance, timestamps in UTC). Reports the
differences by model and exits non-zero when there are any.

    python -m energy_dw.bigquery.compare --endpoint http://127.0.0.1:PORT --project ID \\
        --bq-manifest target/bigquery/target-bq/manifest.json \\
        --duckdb-manifest target/bigquery/target-duckdb/manifest.json \\
        --duckdb target/bigquery/duckdb.duckdb
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import math
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REL_TOL = 1e-9
ABS_TOL = 1e-6
SORT_DIGITS = 4  # floats are rounded this far for sorting only (tiny differences keep order)
SHOWN = 3  # differing rows shown per model
READERS = 4  # concurrent reads from the emulator


@dataclass
class ModelResult:
    name: str
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def normalise(value):
    """One comparable Python value from either client (BigQuery's or DuckDB's)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, (list, tuple)):
        return tuple(normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, normalise(v)) for k, v in value.items()))
    return value


def _sort_key(row: Sequence) -> tuple:
    key = []
    for value in row:
        if value is None:
            key.append((0, ""))
        elif isinstance(value, bool):
            key.append((1, int(value)))
        elif isinstance(value, (int, float)):
            key.append((1, round(float(value), SORT_DIGITS)))
        else:
            key.append((2, str(value)))
    return tuple(key)


def values_equal(left, right) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
            return math.isnan(right)
        return math.isclose(left, right, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(map(values_equal, left, right))
    return left == right


def compare_rows(
    name: str, columns: Sequence[str], bigquery: Iterable[Sequence], duckdb: Iterable[Sequence]
) -> ModelResult:
    """Compare two row sets of the same columns (already in the same column order)."""
    left = sorted((tuple(normalise(v) for v in row) for row in bigquery), key=_sort_key)
    right = sorted((tuple(normalise(v) for v in row) for row in duckdb), key=_sort_key)
    result = ModelResult(name, rows=len(right))
    if len(left) != len(right):
        result.problems.append(f"{len(left)} rows on BigQuery, {len(right)} on DuckDB")
    differing = [
        (i, a, b)
        for i, (a, b) in enumerate(zip(left, right, strict=False))
        if not all(map(values_equal, a, b))
    ]
    if differing:
        result.problems.append(f"{len(differing)} sorted row(s) differ")
        for i, a, b in differing[:SHOWN]:
            cols = [c for c, x, y in zip(columns, a, b, strict=True) if not values_equal(x, y)]
            shown = ", ".join(f"{c}: bigquery={x!r} duckdb={y!r}" for c, x, y in
                              zip(columns, a, b, strict=True) if c in cols)  # fmt: skip
            result.problems.append(f"  row {i}: {shown}")
    return result


def compare_columns(name: str, bq_columns: Sequence[str], duck_columns: Sequence[str]) -> list[str]:
    problems = []
    only_bq = [c for c in bq_columns if c not in duck_columns]
    only_duck = [c for c in duck_columns if c not in bq_columns]
    if only_bq:
        problems.append(f"columns only on BigQuery: {', '.join(only_bq)}")
    if only_duck:
        problems.append(f"columns only on DuckDB: {', '.join(only_duck)}")
    if not problems and list(bq_columns) != list(duck_columns):
        problems.append("columns in a different order")
    return problems


@dataclass(frozen=True)
class Relation:
    database: str
    schema: str
    identifier: str


def built_models(manifest_path: Path, sql_only: bool = False) -> dict[str, Relation]:
    """{model name: relation} of every SQL (and unless `sql_only`, Python) model that makes a
    table or view."""
    manifest = json.loads(manifest_path.read_text())
    project = manifest["metadata"].get("project_name")
    models = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != project:
            continue
        if node["config"].get("materialized") == "ephemeral":
            continue
        if sql_only and node.get("language") == "python":
            continue  # compared on PySpark (tests/python/test_bigquery_python_models.py)
        identifier = node.get("alias") or node["name"]
        models[node["name"]] = Relation(node["database"], node["schema"], identifier)
    return models


def bigquery_client(endpoint: str, project: str):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project=project,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=endpoint),
    )


def read_bigquery(client, relation: Relation) -> tuple[list[str], list[tuple]]:
    """All rows of a table or view, through a query job. Not `list_rows`: the emulator's
    tabledata.list answers concurrent calls with another table's rows (docs/bigquery.md)."""
    sql = f"select * from `{relation.database}`.`{relation.schema}`.`{relation.identifier}`"
    rows = client.query(sql).result(page_size=50_000)  # .result() raises on a failed query
    columns = [f.name for f in rows.schema]
    values = [tuple(row.values()) for row in rows]
    short = [row for row in values if len(row) != len(columns)]
    if short:
        raise ValueError(
            f"{len(short)} row(s) with {len(short[0])} values for {len(columns)} columns "
            f"({', '.join(columns)})"
        )
    return columns, values


def read_duckdb(con, relation: Relation) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f'select * from "{relation.schema}"."{relation.identifier}"')
    return [d[0] for d in cursor.description], cursor.fetchall()


def compare_all(client, con, bq_models: dict, duck_models: dict) -> list[ModelResult]:
    results = []
    names = sorted(set(bq_models) & set(duck_models))
    # The emulator answers in its own process: read from it on a few threads meanwhile.
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        reads = {name: pool.submit(read_bigquery, client, bq_models[name]) for name in names}
        for name in names:
            results.append(_compare_one(name, reads[name], con, duck_models[name]))
    return results


def _compare_one(name: str, read, con, duck_relation: Relation) -> ModelResult:
    try:
        bq_columns, bq_rows = read.result()
    except Exception as error:  # noqa: BLE001 (reported per model)
        return ModelResult(name, problems=[f"cannot read on BigQuery: {error}"])
    duck_columns, duck_rows = read_duckdb(con, duck_relation)
    problems = compare_columns(name, bq_columns, duck_columns)
    if any(p.startswith("columns only") for p in problems):
        return ModelResult(name, rows=len(duck_rows), problems=problems)
    order = [bq_columns.index(c) for c in duck_columns]
    bq_rows = [tuple(row[i] for i in order) for row in bq_rows]
    result = compare_rows(name, duck_columns, bq_rows, duck_rows)
    result.problems = problems + result.problems
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--bq-manifest", type=Path, required=True)
    parser.add_argument("--duckdb-manifest", type=Path, required=True)
    parser.add_argument("--duckdb", type=Path, required=True)
    parser.add_argument("--select", nargs="*", help="only these models")
    args = parser.parse_args(argv)

    import duckdb

    bq_models = built_models(args.bq_manifest, sql_only=True)
    duck_models = built_models(args.duckdb_manifest)
    if args.select:
        bq_models = {k: v for k, v in bq_models.items() if k in args.select}
    only_duckdb = sorted(set(built_models(args.duckdb_manifest, sql_only=True)) - set(bq_models))
    client = bigquery_client(args.endpoint, args.project)
    with duckdb.connect(str(args.duckdb), read_only=True) as con:
        results = compare_all(client, con, bq_models, duck_models)
    different = [r for r in results if r.problems]
    for result in results:
        status = "DIFFERENT" if result.problems else "same"
        print(f"  {status:9} {result.name} ({result.rows} rows)")
        for problem in result.problems:
            print(f"            {problem}")
    if only_duckdb:
        print(f"  built on DuckDB only (not compared): {', '.join(only_duckdb)}")
    print(f"compare: {len(results)} models on both engines, {len(different)} with differences")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
