"""Strictness the BigQuery emulator lacks: is this compiled SQL valid *BigQuery*?

bqemulator runs BigQuery SQL by translating it to DuckDB, so it happily accepts DuckDB-only SQL
(`epoch_ms`, `try_cast`, `strftime`, `list_value`, `::` casts) that BigQuery rejects. This
check reads every compiled node of a dbt manifest built for a BigQuery target (the emulator)
and fails on:

- SQL that sqlglot's BigQuery dialect cannot parse (e.g. a bare `union`: BigQuery needs
  `union all` or `union distinct`);
- a function sqlglot does not model (`exp.Anonymous`) unless it is on the reviewed list of real
  BigQuery functions below; and a DuckDB-only function name written in the SQL even where
  sqlglot maps it onto a BigQuery function (`try_cast`, `datediff`, ...);
- DuckDB-only syntax: `::` casts, DuckDB's `date_diff('day', earlier, later)` argument order
  (a string literal first argument), `ilike`, `select * exclude`, `distinct on`, lambdas
  (`->`), `interval '1 day'`, double-quoted identifiers (a string literal on BigQuery), and
  type names BigQuery does not have (`double`, `varchar`, `text`, ...).

    python -m energy_dw.bigquery.strictness --manifest target/bigquery/target-bq/manifest.json
    python -m energy_dw.bigquery.strictness path/to/file.sql ...
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.dialects.bigquery import BigQuery
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

# Real BigQuery functions that sqlglot's BigQuery dialect leaves as `exp.Anonymous` (it does
# not model them). Reviewed one by one against the BigQuery function reference; add a name
# only after checking it there. Anything else anonymous is taken for a non-BigQuery function.
UNMODELLED_BIGQUERY_FUNCTIONS = frozenset(
    {
        "approx_top_count",
        "approx_top_sum",
        "array_includes",
        "bit_count",
        "byte_length",
        "char_length",
        "character_length",
        "code_points_to_bytes",
        "code_points_to_string",
        "collate",
        "cosh",
        "cot",
        "coth",
        "csc",
        "csch",
        "date_bucket",
        "datetime_bucket",
        "edit_distance",
        "error",
        "farm_fingerprint",
        "format",
        "generate_uuid",
        "ieee_divide",
        "initcap",
        "instr",
        "is_inf",
        "is_nan",
        "justify_days",
        "justify_hours",
        "justify_interval",
        "last_day",
        "normalize",
        "normalize_and_casefold",
        "range_bucket",
        "regexp_instr",
        "safe_add",
        "safe_multiply",
        "safe_negate",
        "safe_subtract",
        "sec",
        "sech",
        "session_user",
        "soundex",
        "st_geogpoint",
        "to_code_points",
        "translate",
        "trunc",
        "unicode",
    }
)

# Function names DuckDB has and BigQuery does not, which sqlglot nevertheless parses into a
# modelled expression (so they would pass the anonymous-function rule): the BigQuery spelling
# is given as the fix.
DUCKDB_ONLY_FUNCTIONS = {
    "try_cast": "safe_cast (dbt.safe_cast)",
    "epoch_ms": "timestamp_millis / unix_millis",
    "epoch": "unix_seconds",
    "strftime": "format_date / format_timestamp",
    "strptime": "parse_date / parse_timestamp",
    "list_value": "an array literal [...]",
    "datediff": "date_diff(later, earlier, day) (dbt.datediff)",
    "date_part": "extract(part from x)",
    "datepart": "extract(part from x)",
    "list_aggregate": "an array function",
    "array_agg_distinct": "array_agg(distinct ...)",
    "len": "length / array_length",
    "struct_pack": "struct(...)",
    "regexp_matches": "regexp_contains",
    "string_split": "split",
    "str_split": "split",
    "list_extract": "array[offset(i)]",
    "to_timestamp": "timestamp_seconds",
    "make_date": "date(year, month, day)",
    "today": "current_date()",
    "now": "current_timestamp()",
    "arg_max": "array_agg(x order by y desc limit 1)[offset(0)]",
    "arg_min": "array_agg(x order by y limit 1)[offset(0)]",
    "nullifzero": "nullif(x, 0)",
}

# Type names BigQuery accepts (canonical names and their documented aliases).
BIGQUERY_TYPES = frozenset(
    {
        "int64", "int", "smallint", "integer", "bigint", "tinyint", "byteint",
        "numeric", "decimal", "bignumeric", "bigdecimal", "float64", "bool", "boolean",
        "string", "bytes", "date", "datetime", "time", "timestamp", "interval", "geography",
        "json", "array", "struct", "range",
    }
)  # fmt: skip

CAST_FUNCTIONS = frozenset({"cast", "safe_cast", "try_cast"})
# Date/time difference functions whose BigQuery form takes the part last.
DIFF_EXPRESSIONS = (exp.DateDiff, exp.DatetimeDiff, exp.TimestampDiff)


@dataclass(frozen=True)
class Offence:
    node: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.node}:{self.line}" if self.line else self.node
        return f"{where}: {self.message}"


def _called_names(tokens: list[Token]) -> list[tuple[int, Token]]:
    """(index, token) of every name written right before `(` that is not qualified by `.`
    (a `project.dataset.udf(...)` or `safe.f(...)` prefix is fine; the function after `safe.`
    is still checked)."""
    called = []
    for i, token in enumerate(tokens[:-1]):
        if tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
        if token.token_type in (TokenType.L_PAREN, TokenType.R_PAREN, TokenType.COMMA):
            continue
        previous = tokens[i - 1] if i else None
        qualified = previous is not None and previous.token_type == TokenType.DOT
        if qualified and not (i >= 2 and tokens[i - 2].text.lower() == "safe"):
            continue
        called.append((i, token))
    return called


def _raw_text(sql: str, token: Token) -> str:
    return sql[token.start : token.end + 1]


def check_tokens(sql: str, node: str, tokens: list[Token]) -> list[Offence]:
    offences = []

    def add(token: Token, message: str) -> None:
        offences.append(Offence(node, token.line, message))

    for i, token in enumerate(tokens):
        kind = token.token_type
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if kind == TokenType.DCOLON:
            add(token, "`::` cast is DuckDB/Postgres syntax: use cast(x as type)")
        elif kind == TokenType.ILIKE:
            add(token, "BigQuery has no `ilike`: use lower(x) like lower(pattern)")
        elif kind in (TokenType.ARROW, TokenType.FARROW):
            add(token, f"`{token.text}` (lambda / JSON arrow) is not BigQuery syntax")
        elif kind == TokenType.STAR and nxt is not None and nxt.text.lower() == "exclude":
            add(nxt, "`select * exclude (...)` is DuckDB: BigQuery writes `select * except (...)`")
        elif kind == TokenType.DISTINCT and nxt is not None and nxt.token_type == TokenType.ON:
            add(token, "`distinct on` is DuckDB/Postgres: use qualify row_number() over (...) = 1")
        elif kind == TokenType.INTERVAL and nxt is not None and nxt.token_type == TokenType.STRING:
            if any(ch.isalpha() for ch in nxt.text):
                add(token, f"interval '{nxt.text}' is DuckDB: BigQuery writes interval 1 day")
        elif kind == TokenType.STRING and re.match(r'"(?!"")', _raw_text(sql, token)):
            add(
                token,
                f'"{token.text}" is a string literal on BigQuery (an identifier on DuckDB):'
                " quote identifiers with backticks, strings with single quotes",
            )

    # Type names inside cast(... as <type>): track which function opened each parenthesis.
    opened_by: list[str] = []
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            previous = tokens[i - 1].text.lower() if i else ""
            opened_by.append(previous)
        elif token.token_type == TokenType.R_PAREN and opened_by:
            opened_by.pop()
        elif (
            opened_by
            and opened_by[-1] in CAST_FUNCTIONS
            and i
            and tokens[i - 1].token_type == TokenType.ALIAS
            and token.text.lower() not in BIGQUERY_TYPES
        ):
            add(token, f"BigQuery has no type `{token.text}` (cast ... as {token.text})")

    for _, token in _called_names(tokens):
        name = token.text.lower()
        if name in DUCKDB_ONLY_FUNCTIONS:
            add(token, f"BigQuery has no function `{name}`: use {DUCKDB_ONLY_FUNCTIONS[name]}")
    return offences


def check_tree(node: str, tree: exp.Expression) -> list[Offence]:
    offences = []
    for func in tree.find_all(exp.Anonymous):
        name = func.name.lower()
        if isinstance(func.parent, exp.Dot) and func.parent.expression is func:
            continue  # a qualified UDF: `project`.dataset.function(...)
        if name not in UNMODELLED_BIGQUERY_FUNCTIONS and name not in DUCKDB_ONLY_FUNCTIONS:
            offences.append(
                Offence(
                    node,
                    0,
                    f"function `{func.name}` is unknown to sqlglot's BigQuery dialect and not on"
                    " the reviewed list of BigQuery functions (UNMODELLED_BIGQUERY_FUNCTIONS)",
                )
            )
    for diff in tree.find_all(*DIFF_EXPRESSIONS):
        if isinstance(diff.this, exp.Literal) and diff.this.is_string:
            offences.append(
                Offence(
                    node,
                    0,
                    f"`{diff.sql('bigquery')}` has DuckDB's argument order date_diff('part',"
                    " earlier, later): BigQuery's is date_diff(later, earlier, part); use"
                    " dbt.datediff",
                )
            )
    return offences


def check_sql(sql: str, node: str = "<sql>") -> list[Offence]:
    """Every BigQuery offence in one compiled SQL text (one or more statements)."""
    dialect = BigQuery()
    try:
        tokens = dialect.tokenize(sql)
    except TokenError as error:
        return [Offence(node, 0, f"not BigQuery SQL (tokenizer): {error}")]
    offences = check_tokens(sql, node, tokens)
    try:
        trees = sqlglot.parse(sql, read="bigquery")
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        message = str(first.get("description", error)).strip()
        return offences + [Offence(node, first.get("line", 0), f"not BigQuery SQL: {message}")]
    for tree in trees:
        if tree is not None:
            offences.extend(check_tree(node, tree))
    # one message per line and text
    unique = dict.fromkeys(offences)
    return list(unique)


def compiled_nodes(manifest_path: Path, package: str | None = None) -> dict[str, str]:
    """{original_file_path [test name]: compiled SQL} of every compiled SQL node."""
    manifest = json.loads(manifest_path.read_text())
    package = package or manifest["metadata"].get("project_name")
    found = {}
    for node in manifest["nodes"].values():
        code = node.get("compiled_code")
        if not code or node.get("language") == "python":
            continue
        if package and node.get("package_name") != package:
            continue
        label = node["original_file_path"]
        if node["resource_type"] != "model":
            label = f"{label} [{node['resource_type']} {node['name']}]"
        found[label] = code
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--manifest", type=Path, action="append", default=[], help="manifest.json (repeatable)"
    )
    parser.add_argument("files", nargs="*", type=Path, help="SQL files to check")
    args = parser.parse_args(argv)
    sources: dict[str, str] = {}
    for manifest in args.manifest:
        for label, sql in compiled_nodes(manifest).items():
            if label in sources and sources[label] != sql:  # e.g. an incremental run's SQL
                label = f"{label} ({manifest.parent.name})"
            sources[label] = sql
    for path in args.files:
        sources[str(path)] = path.read_text()
    if not sources:
        parser.error("nothing to check: give --manifest or SQL files")
    offences = [o for label, sql in sorted(sources.items()) for o in check_sql(sql, label)]
    for offence in offences:
        print(f"BIGQUERY-INVALID {offence}")
    print(f"bigquery strictness: {len(sources)} compiled nodes checked, {len(offences)} offence(s)")
    return 1 if offences else 0


if __name__ == "__main__":
    sys.exit(main())
