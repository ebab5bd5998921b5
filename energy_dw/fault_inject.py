"""Run dbt and SIGKILL it at an exact point of a model's materialization (fault injection), or
record how many rows each model's writes touched (tracing).

    python -m energy_dw.fault_inject --node fct_metering_bills --after 'rename to' -- run ...
    python -m energy_dw.fault_inject --trace writes.jsonl -- run ...

dbt runs in this process (dbtRunner). Every statement dbt sends goes through
`SQLConnectionManager.add_query`; once the N-th statement of the named model that matches the
`--after` regular expression has executed, the process prints one line to stderr and kills
itself with SIGKILL: no exception handler, no rollback, no `finally` runs, exactly as the kernel's
OOM killer or a lost machine would stop a build. Used by tests/python/test_faults.py to kill a
build while a mart is being replaced (after the swap's renames or the incremental insert, before
the commit). With --trace, every DELETE, INSERT or MERGE a model sends is appended to a JSON-lines
file as {"node", "verb", "rows"} (rows: the count DuckDB returns, the last statement's):
tests/python/test_incremental.py uses it to show that each incremental model rebuilt rows.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys

MARKER = "fault-inject: SIGKILL after"
WRITE = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)?(delete\s+from|insert\s+into|merge\s+into)\s", re.I | re.S
)


def _rows(result) -> str:
    """The row count a DuckDB DELETE/INSERT returns, else '?' (the statement is done; the
    process dies next, so consuming its result changes nothing)."""
    try:
        row = result[1].fetchone()
        return str(int(row[0])) if row else "?"
    except Exception:  # noqa: BLE001 - DDL returns no count; any driver error means unknown
        return "?"


def install(node: str, after: str, occurrence: int = 1) -> None:
    from dbt.adapters.sql.connections import SQLConnectionManager

    pattern = re.compile(after, re.IGNORECASE | re.DOTALL)
    original = SQLConnectionManager.add_query
    seen = 0

    def add_query(self, sql, *args, **kwargs):
        nonlocal seen
        result = original(self, sql, *args, **kwargs)
        connection = self.get_thread_connection()
        name = getattr(connection, "name", "") or ""
        if name.endswith(f".{node}") and pattern.search(sql):
            seen += 1
            if seen == occurrence:
                statement = " ".join(sql.split())[-160:]
                sys.stderr.write(f"{MARKER} {name} (rows={_rows(result)}): ...{statement}\n")
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        return result

    SQLConnectionManager.add_query = add_query


def trace(path: str) -> None:
    """Append each model's DELETE / INSERT / MERGE with its row count to `path` (JSON lines)."""
    from dbt.adapters.sql.connections import SQLConnectionManager

    original = SQLConnectionManager.add_query

    def add_query(self, sql, *args, **kwargs):
        result = original(self, sql, *args, **kwargs)
        verbs = [" ".join(m.group(1).lower().split()) for m in WRITE.finditer(sql)]
        name = getattr(self.get_thread_connection(), "name", "") or ""
        if verbs and name.startswith("model."):
            verb, rows = "; ".join(verbs), _rows(result)
            with open(path, "a") as out:
                out.write(json.dumps({"node": name, "verb": verb, "rows": rows}) + "\n")
        return result

    SQLConnectionManager.add_query = add_query


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--node", help="model name, e.g. fct_metering_bills")
    parser.add_argument("--after", help="regex of the statement to die after")
    parser.add_argument("--trace", help="append every model's writes and row counts here")
    parser.add_argument("--occurrence", type=int, default=1, help="die after the N-th match")
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="-- then dbt's arguments")
    args = parser.parse_args(argv)
    dbt_args = args.dbt_args[1:] if args.dbt_args[:1] == ["--"] else args.dbt_args
    if args.trace:
        trace(args.trace)
    if args.node or args.after:
        if not (args.node and args.after):
            parser.error("--node and --after go together")
        install(args.node, args.after, args.occurrence)

    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(dbt_args)
    if args.node:
        sys.stderr.write(
            f"fault-inject: dbt finished without reaching the fault ({result.success})\n"
        )
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
