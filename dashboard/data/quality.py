"""The data quality of the last build: dbt's test results and the great-expectations results.

- dbt: `run_results.json` and `manifest.json` of the dbt target path that built the warehouse
  (`dashboard.definitions.target_path()`). The warnings and failures are those of
  `energy_dw.failures.failed_tests` (the report `make build` prints), completed from the manifest
  with the tested relation and the rule's arguments. Their offending rows are read from the test's
  audit view (`audit.<test>`: every data test's query is kept as a view on DuckDB), limited in
  SQL; on BigQuery data tests are stored as ephemeral, so there are no rows to read.
- great-expectations: `<target path>/validation_docs/results.json`, written by
  `python -m energy_dw.validation --docs-dir <target path>/validation_docs` (`make validate`).

Only key columns (ids, keys, numbers) and the columns the rule names are shown from an audit
view, never a column the project tags as personal data, and no value at all of a test on a
relation that holds personal data beyond its keys.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboard.data import Reader, WarehouseUnavailable
from energy_dw import failures

AUDIT_ROWS = 20
STATUSES = ("pass", "warn", "fail", "error", "skipped")
VALIDATION_RESULTS = Path("validation_docs") / "results.json"
KEY_COLUMN = re.compile(r"(^id$|_id$|_key$|_number$|^mpxn$|^mpan$|^mprn$|^msn$)")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
QUOTED = re.compile(r'"([^"]+)"|`([^`]+)`|([A-Za-z0-9_\-]+)')
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# the columns dbt's generic tests return instead of the tested rows
GENERIC_VALUE_COLUMNS = ("unique_field", "value_field", "from_field", "n_records")


@dataclass(frozen=True)
class Problem:
    """One test that warned, failed or errored in the last run."""

    unique_id: str
    name: str
    status: str
    kind: str  # "data test" or "unit test"
    rule: str  # the generic test's name, or "singular"
    rule_arguments: str  # e.g. "expression: not is_off_cycle"
    description: str
    tested: str  # the relation tested, e.g. marts.fct_opower_usage_feed
    failures: int | None
    message: str
    audit: tuple[str, str] | None  # (schema, view) of the stored failing rows
    columns_named: tuple[str, ...] = ()  # columns the rule is about
    personal: bool = False  # the tested relation or column holds personal data
    column: str | None = None  # the column a generic test is on


@dataclass(frozen=True)
class DbtRun:
    """The test results of the last dbt command in the target path."""

    path: Path
    command: str
    generated_at: str
    counts: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    pii_columns: frozenset[str] = frozenset()

    @property
    def ran_tests(self) -> bool:
        return sum(self.counts.values()) > 0


def run_results_path(target_path: Path) -> Path:
    return target_path / "run_results.json"


def validation_results_path(target_path: Path) -> Path:
    return target_path / VALIDATION_RESULTS


def dbt_run(target_path: Path) -> DbtRun | None:
    """The tests of the last dbt run in `target_path`; None when no run wrote results there."""
    file = run_results_path(target_path)
    if not file.exists():
        return None
    manifest_file = target_path / "manifest.json"
    return _dbt_run(
        target_path,
        file.stat().st_mtime,
        manifest_file.stat().st_mtime if manifest_file.exists() else 0.0,
    )


@lru_cache(maxsize=4)
def _dbt_run(target_path: Path, results_mtime: float, manifest_mtime: float) -> DbtRun:
    document = json.loads(run_results_path(target_path).read_text())
    manifest = json.loads((target_path / "manifest.json").read_text()) if manifest_mtime else {}
    nodes, sources = manifest.get("nodes", {}), manifest.get("sources", {})
    unit_tests = manifest.get("unit_tests", {})
    counts = Counter(
        result["status"]
        for result in document.get("results", [])
        if result["unique_id"].startswith(("test.", "unit_test."))
    )
    pii = _pii_columns(nodes, sources)
    problems = [
        _problem(
            found,
            nodes.get(found["unique_id"]) or unit_tests.get(found["unique_id"]) or {},
            nodes,
            sources,
            pii,
        )
        for found in failures.failed_tests(target_path)
    ]
    order = {"error": 0, "fail": 1, "warn": 2}
    problems.sort(key=lambda p: (order.get(p.status, 3), p.tested, p.name))
    metadata = document.get("metadata", {})
    return DbtRun(
        path=target_path,
        command=(document.get("args") or {}).get("which", ""),
        generated_at=metadata.get("generated_at", ""),
        counts={status: counts.get(status, 0) for status in STATUSES}
        | {s: n for s, n in counts.items() if s not in STATUSES},
        problems=problems,
        pii_columns=frozenset(pii),
    )


def _pii_columns(nodes: dict, sources: dict) -> set[str]:
    """Column names the project tags as personal data (`tags: [pii]`) anywhere."""
    found = set()
    for node in [*nodes.values(), *sources.values()]:
        for column in (node.get("columns") or {}).values():
            if "pii" in (column.get("tags") or []) or (column.get("meta") or {}).get("pii"):
                found.add(column["name"])
    return found


def _audit_relation(relation: str | None) -> tuple[str, str] | None:
    """("audit", "<view>") from a relation name such as "db"."audit"."view" (the database part is
    left out: the dashboards' file may be a copy with another name)."""
    if not relation:
        return None
    parts = [next(p for p in match.groups() if p) for match in QUOTED.finditer(relation)]
    if len(parts) < 2 or not all(IDENTIFIER.match(p) for p in parts[-2:]):
        return None
    return parts[-2], parts[-1]


def _problem(found: dict, node: dict, nodes: dict, sources: dict, pii: set[str]) -> Problem:
    tested, personal = [], False
    for uid in (node.get("depends_on") or {}).get("nodes", []):
        parent = nodes.get(uid) or sources.get(uid)
        if not parent or parent.get("resource_type") not in ("model", "source", "seed"):
            continue
        if parent["resource_type"] == "source":
            tested.append(f"{parent['schema']}.{parent['name']}")
        else:
            tested.append(f"{parent['schema']}.{parent.get('alias') or parent['name']}")
        if "pii" in (parent.get("tags") or []) or parent.get("schema") == "restricted":
            personal = True
    metadata = node.get("test_metadata") or {}
    kwargs = {
        k: v for k, v in (metadata.get("kwargs") or {}).items() if k not in ("model", "column_name")
    }
    column = node.get("column_name") or (metadata.get("kwargs") or {}).get("column_name")
    named = [column] if column else []
    for value in kwargs.values():
        for text in value if isinstance(value, list) else [value]:
            named += WORD.findall(str(text)) if isinstance(text, str) else []
    personal = personal or bool(column and column in pii)
    arguments = "; ".join(f"{k}: {_short(v)}" for k, v in kwargs.items())
    uid = found["unique_id"]
    return Problem(
        unique_id=uid,
        name=found["name"],
        status=found["status"],
        kind="unit test" if uid.startswith("unit_test.") else "data test",
        rule="unit test" if uid.startswith("unit_test.") else found["test"],
        rule_arguments=arguments,
        description=(node.get("description") or "").strip(),
        tested=", ".join(tested) or found["model"] or "?",
        failures=found["failures"],
        message=found["message"],
        audit=_audit_relation(found["relation"]) if uid.startswith("test.") else None,
        columns_named=tuple(dict.fromkeys(named)),
        personal=personal,
        column=column,
    )


def _short(value) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 160 else text[:157] + "..."


# --- the offending rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRows:
    rows: pd.DataFrame | None
    total: int | None
    note: str = ""


def shown_columns(columns: list[str], problem: Problem, pii: frozenset[str]) -> list[str]:
    """Which columns of an audit view the page shows: the keys and the columns the rule names;
    a view without a key column (unique, accepted_values: the value and its count) in full.
    Never a personal column; of a test on personal data, its keys only."""
    allowed = [c for c in columns if c not in pii]
    keys = [c for c in allowed if KEY_COLUMN.search(c)]
    if problem.personal:
        # a generic test on a key column (unique, accepted_values, relationships) returns that
        # key's values: keys still, never personal data
        key_test = bool(problem.column and KEY_COLUMN.search(problem.column))
        return keys + [c for c in allowed if key_test and c in GENERIC_VALUE_COLUMNS]
    if not keys:
        return allowed
    named = [c for c in allowed if c in problem.columns_named and c not in keys]
    return keys + named


def audit_rows(reader: Reader, problem: Problem, pii: frozenset[str], limit: int = AUDIT_ROWS):
    """The first `limit` offending rows of a warning or failure (keys only), and their number."""
    if problem.audit is None:
        return AuditRows(None, None, "No stored rows: a unit test or an error has none.")
    if reader.engine != "duckdb":
        return AuditRows(
            None,
            None,
            "The offending rows are kept on DuckDB only: on BigQuery data tests are stored as "
            "ephemeral. Run the build on DuckDB (`make build`) to read them.",
        )
    schema, view = problem.audit
    relation = f'{schema}."{view}"'
    try:
        columns = list(reader.query(f"select * from {relation} limit 0").columns)
        shown = shown_columns(columns, problem, pii)
        if not shown:
            return AuditRows(
                None,
                None,
                "The rows are not shown: the test is on personal data and its rows have no key.",
            )
        select = ", ".join(f'"{c}"' for c in shown)
        rows = reader.query(f"select {select} from {relation} order by {select} limit {int(limit)}")
        total = int(reader.query(f"select count(*) as n from {relation}")["n"].iloc[0])
    except WarehouseUnavailable:
        return AuditRows(
            None,
            None,
            f"The audit view {schema}.{view} is not in the warehouse: the warehouse is not the "
            "one this run built. Run `make build`.",
        )
    except Exception as error:  # noqa: BLE001 - one test's rows must not hide the others
        return AuditRows(None, None, f"The audit view {schema}.{view} cannot be read ({error}).")
    return AuditRows(rows, total)


# --- great-expectations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Validation:
    path: Path
    generated_at: str
    engine: str
    suites: pd.DataFrame  # one row per suite
    failures: pd.DataFrame  # one row per failed expectation (or suite error)


def validation(target_path: Path) -> Validation | None:
    """The great-expectations results file of the target path; None when there is none."""
    path = validation_results_path(target_path)
    if not path.exists():
        return None
    document = json.loads(path.read_text())
    suites, problems = [], []
    for suite in document.get("suites", []):
        suites.append(
            {
                "suite": suite["suite"],
                "relation": suite.get("relation", ""),
                "expectations": suite.get("expectations", 0),
                "passed": suite.get("passed", 0),
                "failed": suite.get("failed", 0),
                "errors": len(suite.get("errors", [])),
                "success": bool(suite.get("success")),
            }
        )
        for error in suite.get("errors", []):
            problems.append(
                {"suite": suite["suite"], "check": "error", "expectation": "", "detail": error}
            )
        for failure in suite.get("failures", []):
            expectation = failure.get("expectation", "")
            problems.append(
                {
                    "suite": suite["suite"],
                    "check": failure.get("frame", ""),
                    "expectation": expectation,
                    "detail": _detail(expectation, failure.get("text") or ""),
                }
            )
        for detail in suite.get("details", []):
            check, _, text = detail.partition(": ")
            problems.append(
                {"suite": suite["suite"], "check": check, "expectation": "", "detail": text}
            )
    suites.sort(key=lambda s: s["success"])  # the failed suites first, in the file's order
    return Validation(
        path=path,
        generated_at=document.get("generated_at", ""),
        engine=document.get("engine", ""),
        suites=pd.DataFrame(
            suites,
            columns=["suite", "relation", "expectations", "passed", "failed", "errors", "success"],
        ),
        failures=pd.DataFrame(problems, columns=["suite", "check", "expectation", "detail"]),
    )


def _detail(expectation: str, text: str) -> str:
    """The arguments and the findings of a failed expectation, without its repeated name:
    "expect_x(column=a, max_value=1): 2 unexpected" -> "column=a, max_value=1: 2 unexpected"."""
    match = re.match(rf"{re.escape(expectation)}\((.*?)\)(: .*)?$", text, re.DOTALL)
    return f"{match.group(1)}{match.group(2) or ''}" if expectation and match else text
