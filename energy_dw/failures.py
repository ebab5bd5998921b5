"""Name the offending rows of every failed or warning dbt test of the last run.

dbt reports how many rows a test found; this prints which. Data tests store their failing rows
in the `audit` schema on DuckDB (`store_failures`), and this reads them back.

Usage: python -m energy_dw.failures [--target-path target] [--limit 10]
The DuckDB file is $DBT_DUCKDB_PATH, else the working file of `make build`, target/warehouse.duckdb.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _ref_names(node: dict) -> list[str]:
    """The models a test refs: `refs` holds {"name": ...} dicts since dbt 1.5 (lists before)."""
    names = list(node.get("refs_names") or [])
    for ref in node.get("refs") or []:
        name = ref.get("name") if isinstance(ref, dict) else (ref[-1] if ref else None)
        if name and name not in names:
            names.append(name)
    return names


def failed_tests(target_path: Path) -> list[dict]:
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    manifest_file = target_path / "manifest.json"
    nodes = json.loads(manifest_file.read_text())["nodes"] if manifest_file.exists() else {}
    out = []
    for result in results:
        uid = result["unique_id"]
        if not uid.startswith(("test.", "unit_test.")):
            continue
        if result["status"] not in ("fail", "error", "warn"):
            continue
        node = nodes.get(uid, {})
        out.append(
            {
                "unique_id": uid,
                "name": node.get("name", uid.split(".")[-1]),
                "status": result["status"],
                "message": result.get("message") or "",
                "failures": result.get("failures"),
                "relation": result.get("relation_name") or node.get("relation_name"),
                "test": (node.get("test_metadata") or {}).get("name", "singular"),
                "model": ", ".join(_ref_names(node))
                or ", ".join(".".join(s) for s in node.get("sources", [])),
            }
        )
    return out


def report(target_path: Path, database: str, limit: int) -> str:
    lines = []
    tests = failed_tests(target_path)
    con = None
    for test in tests:
        lines.append(
            f"{test['status'].upper()}: rule `{test['test']}` ({test['name']})"
            f" on {test['model'] or '?'}: {test['failures']} row(s)."
        )
        if test["message"] and test["status"] == "error":
            lines.append(f"  {test['message'].splitlines()[0]}")
        if test["relation"] and test["unique_id"].startswith("test."):
            try:
                import duckdb

                con = con or duckdb.connect(database, read_only=True)
                df = con.sql(f"select * from {test['relation']} limit {limit}").df()
                for row in df.to_dict("records"):
                    shown = ", ".join(f"{k}={v}" for k, v in row.items())
                    lines.append(f"  offending row: {shown}")
            except Exception as exc:  # the report must never hide the failure itself
                lines.append(f"  (rows not readable: {exc.__class__.__name__}: {exc})")
    if not tests:
        lines.append("No failed or warning tests in the last run.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", default=os.environ.get("DBT_TARGET_PATH", "target"))
    default_database = os.environ.get("DBT_DUCKDB_PATH", "target/warehouse.duckdb")
    parser.add_argument("--database", default=default_database)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args(argv)
    print(report(Path(args.target_path), args.database, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
