"""Start bqemulator (`bqemulator start ...`) with one fix: contract DDL runs on it.

Run by the emulator's own virtualenv (.venv-bqemulator), never imported by the project:

    .venv-bqemulator/bin/python energy_dw/bigquery/bqemulator_launch.py start --rest-port ...

A model under an enforced dbt contract is created on BigQuery as
`create or replace table t (col type not null, ..., primary key (...) not enforced) ... as (select
...)`: a column list and a query in one statement, the body in parentheses. DuckDB, behind the
emulator, accepts a column list or a query, not both, so bqemulator rewrites that form into a
plain CTAS with a cast per column (bqemulator/sql/rewriter/create_table_schema_ctas.py). Its
rewriter only recognises a bare SELECT or UNION body, not dbt-bigquery's parenthesised one (a
sqlglot Subquery), so the statement reaches DuckDB unchanged and fails (`syntax error at or near
"ENFORCED"`, or at "AS" without a constraint). The fix unwraps that parenthesis before the
rewriter looks for the SELECT. The SQL dbt sends is exactly what BigQuery receives; only the
emulator's translation changes. The rewrite drops the column list, so the emulator neither enforces
NOT NULL nor records the primary key (DuckDB and BigQuery do); the contract's check of the column
names and types runs on the emulator as on BigQuery (docs/bigquery.md, "Emulator limitations").
"""

from __future__ import annotations

import sys

from bqemulator.cli import main
from bqemulator.sql.rewriter import create_table_schema_ctas
from sqlglot import exp

_first_select = create_table_schema_ctas._first_select


def _first_select_in_parentheses(body: exp.Expression | None) -> exp.Select | None:
    """The first SELECT of a CTAS body, also when the body is `( select ... )`."""
    while isinstance(body, exp.Subquery) and not body.alias:
        body = body.this
    return _first_select(body)


create_table_schema_ctas._first_select = _first_select_in_parentheses

if __name__ == "__main__":
    sys.argv[0] = "bqemulator"
    sys.exit(main())
