"""Write the Opower usage feed as the file Opower receives.

Reads the mart ``fct_opower_usage_feed`` from the DuckDB warehouse and writes one gzip file:
a header row, the columns of ``COLUMNS`` in that fixed order, tab-separated, dates as yyyymmdd,
named ``opwr_<utility>_res_<version>_usage_<yyyyMMddHHmmss>.gz``. The timestamp is the build's
as-of moment (midnight after ``util_as_of_date.as_of_date``), never the wall clock, and the gzip
header carries no time or file name, so the same warehouse always gives the same bytes.
Every row of the feed is written, flagged or not: rule breaks are reported in
``fct_opower_feed_exceptions``, never dropped (docs/opower_feed.md).

Usage: python -m energy_dw.opower_export --out DIR [--utility NAME] [--version N]
       [--database PATH]
The DuckDB file is --database, else $DBT_DUCKDB_PATH, else warehouse.duckdb.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import re
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

# (header written in the file, kind) in the fixed order Opower receives; the header is also the
# column name in fct_opower_usage_feed.
COLUMNS: list[tuple[str, str]] = [
    ("customer_id", "id"),
    ("premise_id", "id"),
    ("account_id", "id"),
    ("active_date", "date"),
    ("inactive_date", "date"),
    ("service_point_id", "id"),
    ("fuel", "text"),
    ("date_to", "date"),
    ("duration", "int"),
    ("usage_value", "kwh"),
    ("usage_charge", "gbp"),
    # the account's rate in force on date_to (003, "Rate Changes"); last, so that the positions
    # of the columns above are unchanged for readers of earlier files
    ("rate_code", "text"),
]
HEADER = [name for name, _ in COLUMNS]
SEPARATOR = "\t"
DEFAULT_UTILITY = "soenergy"
DEFAULT_VERSION = 1
FEED_TABLE = "marts.fct_opower_usage_feed"
AS_OF_TABLE = "utilities.util_as_of_date"
_UTILITY_NAME = re.compile(r"^[a-z0-9]+$")


def format_value(value: object, kind: str) -> str:
    """One field as written in the file: empty for NULL, dates yyyymmdd, fixed decimals."""
    if value is None:
        return ""
    if kind == "date":
        if not isinstance(value, dt.date):
            value = dt.date.fromisoformat(str(value)[:10])
        return value.strftime("%Y%m%d")
    if kind == "int":
        return str(int(value))
    if kind == "kwh":
        return f"{Decimal(str(value)):.3f}"
    if kind == "gbp":
        return f"{Decimal(str(value)):.2f}"
    text = str(value)
    if any(c in text for c in "\t\r\n"):
        raise ValueError(f"field {text!r} contains a tab or a line break")
    return text


def format_row(row: Sequence[object]) -> str:
    """One line of the file (without its line break), fields in the order of COLUMNS."""
    if len(row) != len(COLUMNS):
        raise ValueError(f"expected {len(COLUMNS)} fields, got {len(row)}")
    return SEPARATOR.join(format_value(v, kind) for v, (_, kind) in zip(row, COLUMNS, strict=True))


def render(rows: Iterable[Sequence[object]]) -> bytes:
    """The whole file before compression: the header row, then one line per feed row."""
    lines = [SEPARATOR.join(HEADER)]
    lines.extend(format_row(row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def as_of_moment(as_of_date: dt.date) -> dt.datetime:
    """The build's as-of moment: midnight after the as-of day (the data is complete to it)."""
    return dt.datetime.combine(as_of_date + dt.timedelta(days=1), dt.time())


def file_name(utility: str, version: int, moment: dt.datetime) -> str:
    """opwr_<utility>_res_<version>_usage_<yyyyMMddHHmmss>.gz"""
    if not _UTILITY_NAME.match(utility):
        raise ValueError(f"utility {utility!r}: lower-case letters and digits only")
    if int(version) < 1:
        raise ValueError(f"version {version!r}: a positive integer")
    return f"opwr_{utility}_res_{int(version)}_usage_{moment:%Y%m%d%H%M%S}.gz"


def write_file(
    rows: Iterable[Sequence[object]],
    out_dir: Path,
    utility: str,
    version: int,
    moment: dt.datetime,
) -> Path:
    """Write the gzip file into out_dir (created if needed) and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / file_name(utility, version, moment)
    data = render(rows)
    # mtime=0 and no file name in the gzip header: the bytes depend on the data only
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(data)
    return path


def read_feed(con) -> tuple[list[tuple], dt.date]:
    """The feed rows (in the file's column order, sorted) and the build's as-of day."""
    columns = ", ".join(HEADER)
    rows = con.execute(
        f"select {columns} from {FEED_TABLE} order by service_point_id, date_to, account_id"
    ).fetchall()
    found = con.execute(f"select as_of_date from {AS_OF_TABLE}").fetchall()
    if len(found) != 1 or found[0][0] is None:
        raise RuntimeError(f"{AS_OF_TABLE} must hold exactly one as-of day")
    return rows, found[0][0]


def export(database: Path, out_dir: Path, utility: str, version: int) -> Path:
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        rows, as_of_date = read_feed(con)
    finally:
        con.close()
    return write_file(rows, out_dir, utility, version, as_of_moment(as_of_date))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="folder to write the file into")
    parser.add_argument("--utility", default=DEFAULT_UTILITY, help="utility name in the file name")
    parser.add_argument("--version", default=DEFAULT_VERSION, type=int, help="file version")
    parser.add_argument(
        "--database",
        type=Path,
        default=Path(os.environ.get("DBT_DUCKDB_PATH", "warehouse.duckdb")),
        help="the DuckDB warehouse (default: $DBT_DUCKDB_PATH, else warehouse.duckdb)",
    )
    args = parser.parse_args(argv)
    if not args.database.exists():
        print(f"warehouse {args.database} not found: build it first", file=sys.stderr)
        return 2
    path = export(args.database, args.out, args.utility, args.version)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
