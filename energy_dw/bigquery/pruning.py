"""Partition pruning of the daily refresh: every window filter on a source is a literal range.

A raw table partitioned (or clustered) on its load time is read for the refresh window's days
only if the filter on its load-time column is the bare column against constants
(`valid_from_at >= timestamp '2026-10-24 00:00:00+00'`); BigQuery does not prune on a subquery
(`date(valid_from_at) >= date_add((select latest_load_date from util_as_of_date), ...)`) nor on
a function of the column. This check reads a manifest compiled for a BigQuery target with the
incremental models in their incremental form (make check-bigquery compiles it on the emulator
after the first build, so `is_incremental()` is true and the window is rendered as it is on a
production refresh) and, in every incremental model and every model that calls the window
macros (the refresh-scoped views the incremental models read), finds each filter on a source
relation's load-time column and fails unless it is a literal range.

- A source relation is a dbt source, or a staging model over one (a view: BigQuery pushes a
  filter through it onto the raw table). Its load-time columns are the source's freshness
  `loaded_at_field` and the names the staging model gives that column (`meta_effective_from_
  timestamp as valid_from_at`). Columns are followed through import CTEs (`x as (select * from
  <relation> ...)`), so a filter written on the CTE counts.
- A filter is a comparison (`>=`, `>`, `<=`, `<`, `=`, `between`) in a WHERE or JOIN ON whose
  one side holds such a column and whose other side holds no column of the same query (a join
  condition such as `event_at <= month_end_date` is not a filter). A literal range is the bare
  column on one side and, on the other, constants only: no column, no subquery.
- A checked model that calls the window macro `loaded_within_lookback` must have at least one
  such filter, so the check cannot pass by failing to find them.

    python -m energy_dw.bigquery.pruning --manifest target/bigquery/target-bq-refresh/manifest.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

WINDOW_MACROS = frozenset(
    {
        "macro.energy_warehouse.loaded_within_lookback",
        "macro.energy_warehouse.bill_periods_changed_in_lookback",
        "macro.energy_warehouse.lookback_start",
    }
)
LOADED_WITHIN_LOOKBACK = "macro.energy_warehouse.loaded_within_lookback"
# the SQL dialect of the compiled manifest (a module setting: the tests read DuckDB SQL with it)
DIALECT = "bigquery"
COMPARISONS = (exp.GTE, exp.GT, exp.LTE, exp.LT, exp.EQ)


@dataclass(frozen=True)
class Finding:
    model: str
    relation: str  # the source relation (staging model or source) the column belongs to
    column: str
    sql: str  # the filter as written
    literal: bool

    def __str__(self) -> str:
        verdict = "a literal range" if self.literal else "NOT a literal range"
        return f"{self.model}: `{self.sql}` on {self.relation}.{self.column} is {verdict}"


def _relation_key(relation_name: str | None) -> str | None:
    """`project`.`dataset`.`table` (any quoting) -> dataset.table, lower case."""
    if not relation_name:
        return None
    parts = relation_name.replace("`", "").replace('"', "").split(".")
    return ".".join(parts[-2:]).lower()


def _table_key(table: exp.Table) -> str:
    return f"{table.db}.{table.name}".lower() if table.db else table.name.lower()


def _loaded_at_column(loaded_at_field: str | None) -> str | None:
    """The column a freshness `loaded_at_field` reads (`cast(x as timestamp)` -> x)."""
    if not loaded_at_field:
        return None
    column = exp.maybe_parse(loaded_at_field, dialect=DIALECT).find(exp.Column)
    return column.name.lower() if column else None


def _aliases_of(sql: str, columns: set[str]) -> set[str]:
    """The names a staging model's SQL gives any of `columns` (itself, or `col as name`)."""
    names = set()
    for select in sqlglot.parse_one(sql, read=DIALECT).find_all(exp.Select):
        for projection in select.expressions:
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            while isinstance(inner, exp.Cast):
                inner = inner.this
            if isinstance(inner, exp.Column) and inner.name.lower() in columns:
                names.add(projection.alias_or_name.lower())
    return names


def source_load_columns(manifest: dict) -> dict[str, tuple[str, set[str]]]:
    """{dataset.table: (display name, load-time column names)} of every source, and of every
    staging model over sources (the names it gives the source's load-time columns)."""
    relations: dict[str, tuple[str, set[str]]] = {}
    by_id: dict[str, set[str]] = {}
    for source in manifest["sources"].values():
        column = _loaded_at_column(source.get("loaded_at_field"))
        if not column:
            continue
        by_id[source["unique_id"]] = {column}
        key = _relation_key(source.get("relation_name"))
        if key:
            relations[key] = (f"{source['source_name']}.{source['name']}", {column})
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node.get("compiled_code"):
            continue
        raw = set().union(*(by_id.get(p, set()) for p in node["depends_on"]["nodes"]))
        if not raw or node["config"].get("materialized") not in ("view", "ephemeral"):
            continue
        names = _aliases_of(node["compiled_code"], raw)
        key = _relation_key(node.get("relation_name"))
        if names and key:
            relations[key] = (node["name"], names)
    return relations


def _from_sources(select: exp.Select) -> list[exp.Expression]:
    from_ = select.args.get("from_") or select.args.get("from")
    sources = [from_.this] if from_ is not None else []
    sources += [join.this for join in select.args.get("joins") or []]
    return sources


def _ctes(tree: exp.Expression) -> dict[str, exp.Expression]:
    return {cte.alias.lower(): cte.this for cte in tree.find_all(exp.CTE)}


def _resolve(
    column: exp.Column, select: exp.Select, ctes: dict[str, exp.Expression], depth: int = 0
) -> exp.Table | None:
    """The physical table a column of `select` comes from, through import CTEs; None when it
    is computed (a derived CTE, a subquery) or ambiguous."""
    sources = _from_sources(select)
    if column.table:
        sources = [s for s in sources if s.alias_or_name.lower() == column.table.lower()]
    if len(sources) != 1 or depth > 10:
        return None
    source = sources[0]
    if not isinstance(source, exp.Table):
        return None
    body = ctes.get(source.name.lower()) if not source.db else None
    if body is None:
        return source
    # an import CTE: `select * from <one relation> [where ...]`
    if not isinstance(body, exp.Select) or not body.is_star:
        return None
    return _resolve(exp.column(column.name), body, ctes, depth + 1)


def _columns_of_scope(node: exp.Expression, select: exp.Select) -> list[exp.Column]:
    """The columns in `node` that belong to `select` itself (not to a nested subquery)."""
    return [c for c in node.find_all(exp.Column) if c.find_ancestor(exp.Select) is select]


def _is_constant(node: exp.Expression) -> bool:
    return node.find(exp.Column) is None and node.find(exp.Select) is None


def _in_filter_clause(node: exp.Expression) -> bool:
    """In a WHERE or a JOIN ON of its own query (not in a projection)."""
    return isinstance(node.find_ancestor(exp.Where, exp.Join, exp.Select), (exp.Where, exp.Join))


def check_model(name: str, sql: str, relations: dict[str, tuple[str, set[str]]]) -> list[Finding]:
    """Every filter of one compiled model on a source relation's load-time column."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    ctes = _ctes(tree)
    findings = []
    for predicate in tree.find_all(*COMPARISONS, exp.Between):
        select = predicate.find_ancestor(exp.Select)
        if select is None or not _in_filter_clause(predicate):
            continue
        if isinstance(predicate, exp.Between):
            bounds = [predicate.args["low"], predicate.args["high"]]
            sides = [predicate.this, exp.Tuple(expressions=bounds)]
        else:
            sides = [predicate.this, predicate.expression]
        for side, other in (sides, sides[::-1]):
            for column in _columns_of_scope(side, select):
                table = _resolve(column, select, ctes)
                if table is None or _table_key(table) not in relations:
                    continue
                relation, load_columns = relations[_table_key(table)]
                if column.name.lower() not in load_columns:
                    continue
                if _columns_of_scope(other, select):
                    continue  # a join condition, not a filter
                literal = side is column and _is_constant(other)
                sql = predicate.sql(DIALECT)
                findings.append(Finding(name, relation, column.name, sql, literal))
    return findings


def checked_models(manifest: dict) -> dict[str, dict]:
    """The incremental SQL models and the models that call the window macros."""
    checked = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node.get("language") == "python":
            continue
        incremental = node["config"].get("materialized") == "incremental"
        if incremental or WINDOW_MACROS & set(node["depends_on"]["macros"]):
            checked[node["name"]] = node
    return checked


def check_manifest(manifest: dict) -> tuple[list[Finding], list[str]]:
    """(every filter found, every failure message)."""
    relations = source_load_columns(manifest)
    findings: list[Finding] = []
    failures: list[str] = []
    for name, node in sorted(checked_models(manifest).items()):
        sql = node.get("compiled_code")
        if not sql:
            failures.append(f"{name}: not compiled in this manifest")
            continue
        found = check_model(name, sql, relations)
        findings += found
        failures += [str(f) for f in found if not f.literal]
        if LOADED_WITHIN_LOOKBACK in node["depends_on"]["macros"] and not found:
            failures.append(
                f"{name}: calls loaded_within_lookback but no filter on a source's load-time "
                "column was found in its compiled SQL"
            )
    return findings, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True, help="manifest.json")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text())
    findings, failures = check_manifest(manifest)
    models = sorted({f.model for f in findings})
    for finding in findings:
        print(f"  {finding}")
    print(
        f"pruning: {len(findings)} filter(s) on sources' load-time columns in {len(models)} "
        f"of {len(checked_models(manifest))} checked models, {len(failures)} failure(s)"
    )
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
