"""A checksum of every mart, row for row, to prove a rewrite leaves the numbers unchanged.

    python -m energy_dw.mart_checksums write --fixture F [--database D] [--target-path T]
    python -m energy_dw.mart_checksums check --fixture F [--database D] [--target-path T]
    python -m energy_dw.mart_checksums scale --scale 0.01 [--update] [--work DIR]

The marts are, from the build's manifest (never a list kept by hand), every model under
models/marts (the restricted dim_portfolio_customer_lookup too: only sums of hashes of its
values are written) and every model configured into the `marts` schema (the Python cohort models
of python_models/portfolio). For each, one query over the built DuckDB file gives:

- `rows`: the row count;
- `checksum`: the sum over the rows of a 60-bit piece of the MD5 of the row's canonical text,
  an order-independent aggregate that counts duplicates (a sum, not a XOR) and changes when any
  value of any row changes;
- `columns`: the same sum per column, to say which column moved when the checksum does.

The canonical text of a value does not depend on the DuckDB version's way of printing numbers:
integers and decimals are exact; a DOUBLE or FLOAT is written with printf's `%.9e` (10
significant digits, correctly rounded from the binary value: a sum taken in another order, a few
units in the last place away, almost never moves it), -0 and 0 alike; a timestamp (with or
without time zone) is its microseconds since the epoch; a date is ISO; NULL and the empty
string differ. Columns are taken in name order, so a model that only reorders its columns keeps
its checksum. The columns in EXCLUDED, legitimately different from one run to the next, are
left out, by name.

`scale` generates a scale once (into data/scale_<S>/ like the benchmark, or --data), then builds
it three ways and checks each against the fixture `tests/fixtures/mart_checksums/scale_<S>.json`
(dots as underscores): a full refresh; an incremental refresh that adds the last load day to a
full build of the days before it (`raw_loaded_before`); the same refresh run a second time
(which must change nothing). With `--update` it writes the fixture from the full refresh
instead, then checks the two refreshes against it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "mart_checksums"
MART_SCHEMA = "marts"
# (mart, column) -> why the column is left out: its value depends on the run, not on the data.
# None of the marts has one today (nothing reads the wall clock: README, "How time works").
EXCLUDED: dict[tuple[str, str], str] = {}
FLOAT_DIGITS = 9  # printf('%.9e'): 10 significant digits
INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip


def marts(manifest: dict) -> list[dict]:
    """Every model under models/marts (dim_portfolio_customer_lookup too, built in `restricted`)
    and every other model configured into the marts schema (the Python cohort models), by name."""
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and (
            node["original_file_path"].startswith("models/marts/")
            or node["config"].get("schema") == MART_SCHEMA
        )
        and node["config"].get("materialized") != "ephemeral"
    ]
    return sorted(nodes, key=lambda node: node["alias"])


def canonical(column: str, data_type: str) -> str:
    """SQL for the canonical, version-independent text of a column's value ('n' for NULL)."""
    x = f'"{column}"'
    kind = data_type.upper()
    if kind in INTEGER_TYPES or kind.startswith("DECIMAL") or kind in {"VARCHAR", "UUID"}:
        text = f"cast({x} as varchar)"
    elif kind in {"DOUBLE", "FLOAT", "REAL"}:
        text = (
            f"case when {x} = 0 then '0' when isnan({x}) then 'nan' "
            f"when isinf({x}) and {x} > 0 then 'inf' when isinf({x}) then '-inf' "
            f"else printf('%.{FLOAT_DIGITS}e', {x}) end"
        )
    elif kind == "BOOLEAN":
        text = f"case when {x} then 't' else 'f' end"
    elif kind == "DATE":
        text = f"strftime({x}, '%Y-%m-%d')"
    elif kind.startswith("TIMESTAMP"):
        text = f"cast(epoch_us({x}) as varchar)"
    else:
        raise ValueError(f"no canonical text for column {column} of type {data_type}")
    return f"coalesce('v' || {text}, 'n')"


def _hash_sum(text_sql: str) -> str:
    # 15 hex digits of the MD5 (60 bits) as a BIGINT; DuckDB sums BIGINTs into a HUGEINT
    return f"cast(sum(cast('0x' || left(md5({text_sql}), 15) as bigint)) as varchar)"


def mart_checksum(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> dict:
    described = con.execute(f'describe "{schema}"."{name}"').fetchall()
    columns = sorted(
        (column, data_type) for column, data_type, *_ in described if (name, column) not in EXCLUDED
    )
    texts = [canonical(column, data_type) for column, data_type in columns]
    row_text = "concat_ws(chr(31), " + ", ".join(texts) + ")"
    selects = ["count(*)", _hash_sum(row_text), *map(_hash_sum, texts)]
    values = con.execute(f'select {", ".join(selects)} from "{schema}"."{name}"').fetchone()
    rows, checksum, *per_column = values
    return {
        "rows": rows,
        "checksum": checksum or "0",
        "columns": {
            column: value or "0" for (column, _), value in zip(columns, per_column, strict=True)
        },
    }


def compute(database: Path, manifest_path: Path) -> dict:
    manifest = json.loads(manifest_path.read_text())
    con = duckdb.connect(str(database), read_only=True)
    con.execute("set enable_progress_bar = false")
    try:
        result = {
            node["alias"]: mart_checksum(con, node["schema"], node["alias"])
            for node in marts(manifest)
        }
    finally:
        con.close()
    return result


def _commit() -> str:
    """The commit the fixture was written at (with '+changes' when the tree had any)."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def document(checksums: dict, source: str) -> dict:
    return {
        "written_at_commit": _commit(),
        "about": (
            "Row count and order-independent checksums of every mart (energy_dw/mart_checksums.py)"
            f", from {source}. Regenerate after a deliberate change of the numbers: "
            "make same-numbers-update (docs/incremental.md, 'Same numbers')."
        ),
        "excluded_columns": {f"{mart}.{column}": why for (mart, column), why in EXCLUDED.items()},
        "marts": checksums,
    }


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs between two {mart: checksum} maps, one line per mart."""
    lines = []
    for mart in sorted(expected.keys() - actual.keys()):
        lines.append(f"{mart}: in the fixture, not built")
    for mart in sorted(actual.keys() - expected.keys()):
        lines.append(f"{mart}: built, not in the fixture")
    for mart in sorted(expected.keys() & actual.keys()):
        want, got = expected[mart], actual[mart]
        if want == got:
            continue
        parts = []
        if want["rows"] != got["rows"]:
            parts.append(f"{got['rows']} rows instead of {want['rows']}")
        if want["checksum"] != got["checksum"]:
            parts.append("row checksum differs")
        added = sorted(got["columns"].keys() - want["columns"].keys())
        dropped = sorted(want["columns"].keys() - got["columns"].keys())
        moved = sorted(
            column
            for column in want["columns"].keys() & got["columns"].keys()
            if want["columns"][column] != got["columns"][column]
        )
        if added:
            parts.append("new columns: " + ", ".join(added))
        if dropped:
            parts.append("missing columns: " + ", ".join(dropped))
        if moved:
            parts.append("values differ in: " + ", ".join(moved))
        lines.append(f"{mart}: " + "; ".join(parts))
    return lines


def write(fixture: Path, database: Path, manifest: Path, source: str) -> dict:
    checksums = compute(database, manifest)
    fixture.parent.mkdir(parents=True, exist_ok=True)
    fixture.write_text(json.dumps(document(checksums, source), indent=1, sort_keys=True) + "\n")
    rows = sum(c["rows"] for c in checksums.values())
    print(f"wrote {fixture}: {len(checksums)} marts, {rows:,} rows")
    return checksums


def check(fixture: Path, database: Path, manifest: Path, label: str = "") -> list[str]:
    expected = json.loads(fixture.read_text())["marts"]
    found = differences(expected, compute(database, manifest))
    where = f" ({label})" if label else ""
    if found:
        print(f"{len(found)} mart(s) differ from {fixture}{where}:")
        for line in found:
            print("  " + line)
    else:
        print(f"all {len(expected)} marts equal {fixture}{where}")
    return found


# --- a generated scale, built three ways ----------------------------------------------------


def _dbt(args: list[str], env: dict[str, str], common: list[str], variables: dict) -> float:
    started = time.perf_counter()
    run = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, *common, "--vars", json.dumps(variables)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{run.stdout[-6000:]}")
    return time.perf_counter() - started


def scale(
    scale_name: str, work: Path, update: bool, fixture: Path | None, data: Path | None
) -> int:
    from energy_dw import bench

    fixture = fixture or FIXTURES / f"scale_{scale_name.replace('.', '_')}.json"
    data = data or ROOT / "data" / f"scale_{scale_name}"
    started = time.perf_counter()
    if bench.generate(scale_name, data) is not None:
        print(f"generated {data} in {time.perf_counter() - started:.1f} s")
    work.mkdir(parents=True, exist_ok=True)
    db, target = work / "same_numbers.duckdb", work / "target"
    env = dict(os.environ, DBT_PROFILES_DIR=str(ROOT), DBT_DUCKDB_PATH=str(db))
    env.pop("DBT_TARGET_PATH", None)
    common = ["--target", "ci", "--target-path", str(target), "--log-path", str(work / "logs")]
    everything = {"raw_path": str(data)}
    before = {**everything, "raw_loaded_before": f"{bench.last_load_day(data)} 00:00:00"}
    manifest = target / "manifest.json"

    def fresh() -> None:
        for stale in work.glob("same_numbers.duckdb*"):
            stale.unlink()

    failures: list[str] = []
    fresh()
    seconds = _dbt(["seed", "--full-refresh"], env, common, everything)
    seconds += _dbt(["run", "--full-refresh"], env, common, everything)
    print(f"full refresh of scale {scale_name}: {seconds:.1f} s (dbt seed + dbt run)")
    if update:
        write(fixture, db, manifest, f"a full refresh of the generated scale {scale_name}")
    else:
        failures += check(fixture, db, manifest, "full refresh")

    fresh()
    seconds = _dbt(["seed", "--full-refresh"], env, common, before)
    seconds += _dbt(["run", "--full-refresh"], env, common, before)
    seconds += _dbt(["run"], env, common, everything)
    print(f"full build before the last load day + incremental refresh: {seconds:.1f} s")
    failures += check(fixture, db, manifest, "incremental refresh of the last load day")
    seconds = _dbt(["run"], env, common, everything)
    print(f"second refresh: {seconds:.1f} s")
    failures += check(fixture, db, manifest, "the same refresh, a second time")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("write", "check"):
        sub = commands.add_parser(name, help=f"{name} the fixture of a built warehouse")
        sub.add_argument("--fixture", type=Path, default=FIXTURES / "seeds.json")
        sub.add_argument(
            "--database",
            type=Path,
            default=Path(os.environ.get("DBT_DUCKDB_PATH", ROOT / "target" / "ci" / "ci.duckdb")),
        )
        sub.add_argument(
            "--target-path",
            type=Path,
            default=Path(os.environ.get("DBT_TARGET_PATH", ROOT / "target" / "ci")),
            help="dbt target path of that build (its manifest.json)",
        )
    sub = commands.add_parser("scale", help="generate a scale, build it three ways, check each")
    sub.add_argument("--scale", default="0.01")
    sub.add_argument("--work", type=Path, default=ROOT / "target" / "same_numbers")
    sub.add_argument("--fixture", type=Path, default=None)
    sub.add_argument("--data", type=Path, default=None, help="default: data/scale_<S>")
    sub.add_argument("--update", action="store_true", help="write the fixture from a full refresh")
    args = parser.parse_args(argv)

    if args.command == "scale":
        return scale(args.scale, args.work, args.update, args.fixture, args.data)
    manifest = args.target_path / "manifest.json"
    if args.command == "write":
        write(args.fixture, args.database, manifest, "the seeded CI build (make dbt-ci)")
        return 0
    return 1 if check(args.fixture, args.database, manifest) else 0


if __name__ == "__main__":
    sys.exit(main())
