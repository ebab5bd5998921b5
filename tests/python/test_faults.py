"""Faults: a build killed in the middle (SIGKILL) leaves the published marts readable and
consistent, the next build completes, and a refresh produces the same marts again.

Two tests. The first kills a whole run early (staging and utilities done), then checks the next
run completes and gives the same marts. The second kills a run while a named mart is being
replaced, at an exact point (energy_dw/fault_inject.py): after both renames of a table's swap or
after an incremental fact's delete and insert, before the commit; four marts, a table, two large
incremental facts and a Python model. The killed runs use another as-of day, so a completed
replacement would change each of them (shown by running it to completion afterwards); after each
kill every mart must be exactly as before, and the next run drops whatever staging table a killed
Python model left behind.

On a copy of the built warehouse: publish the marts of the current code (a first complete run),
checksum every mart (row count + an order-independent hash of
every row), start `dbt run` of the marts, SIGKILL it once a few models have been published, then
check every mart is still there with the same checksum (DuckDB commits each model's swap in one
transaction, so a mart is the old or the new one, never half); run again to completion (the
incremental facts take their incremental path) and check the checksums are unchanged: the same
data gives the same marts.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, warehouse_path

SELECT = [
    "path:models/staging",
    "path:models/utilities",
    "path:models/intermediate",
    "path:models/marts",
    "path:python_models",
]
MODELS_BEFORE_KILL = 3

# (mart, statement to die after, what shows that the kill interrupted a real change):
# - a table's swap is two renames, the old table to <mart>__dbt_backup, then the new one to the
#   mart's name; killed after the second, the new rows are in place but not committed; a
#   completed run changes the mart (it reads the other as-of day)
# - an incremental fact deletes the rows it rebuilds, then inserts them (dbt-duckdb sends both in
#   one string); killed after it, the old rows are gone and the new ones in, neither committed
#   (the count DuckDB returns, the rows inserted, must be above 0)
# - the Python model is killed after its first rename: the mart has moved to its backup name
DELETE = r'delete from\s+("[^"]+"\.)*"?{}"?\s'
KILL_POINTS = [
    ("fct_metering_meters_monthly", r'rename to "fct_metering_meters_monthly"', "changes"),
    ("fct_opower_usage_feed", DELETE.format("fct_opower_usage_feed"), "rows"),
    ("fct_portfolio_account_monthly", DELETE.format("fct_portfolio_account_monthly"), "rows"),
    ("fct_portfolio_default_cohorts", r'rename to "fct_portfolio_default_cohorts__dbt_backup"', ""),
]
KILL_KINDS = [(mart, proof) for mart, _, proof in KILL_POINTS]
# an as-of day two months before the seeds' own (2026-10-31): every killed mart would change.
# The marts read it from util_as_of_date, so each killed run rebuilds that table first.
OTHER_AS_OF = '{as_of_date: "2026-08-31"}'


def checksums(db: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        for table in tables:
            cols = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            # doubles are rounded: a parallel sum may differ in the last bit between runs
            exprs = [f'round("{c}", 9)' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in cols]
            count, digest = con.execute(
                f'select count(*), coalesce(sum(hash({", ".join(exprs)})), 0) from marts."{table}"'
            ).fetchone()
            out[table] = (int(count), int(digest))
        return out
    finally:
        con.close()


def _dbt(db: Path, target: Path, *args: str, **kwargs):
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(ROOT))
    dbt = Path(sys.executable).parent / "dbt"
    cmd = [str(dbt), "run", "--target", "ci", "--target-path", str(target), "--select", *args]
    return cmd, env


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, dict[str, tuple[int, int]]]:
    """A copy of the built warehouse after one complete run of the current code, and its marts'
    checksums. The tests below run in file order: the last one leaves other marts behind."""
    source = warehouse_path()
    if not source.exists():
        pytest.fail(f"{source} not built: run `make dbt-ci` first")
    tmp_path = tmp_path_factory.mktemp("faults")
    db = tmp_path / "faults.duckdb"
    db.write_bytes(source.read_bytes())
    cmd, env = _dbt(db, tmp_path / "target_first", *SELECT)
    first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout[-4000:]
    before = checksums(db)
    assert len(before) >= 10, before
    return db, before


def test_killed_build_leaves_marts_consistent_and_the_next_build_completes(published, tmp_path):
    db, before = published

    cmd, env = _dbt(db, tmp_path / "target_killed", *SELECT)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    done, lines, deadline = 0, [], time.monotonic() + 240
    for line in proc.stdout:
        lines.append(line)
        if " OK created " in line:
            done += 1
            if done >= MODELS_BEFORE_KILL:
                proc.send_signal(signal.SIGKILL)
                break
        if time.monotonic() > deadline:
            break
    proc.kill()
    proc.wait()
    assert done >= MODELS_BEFORE_KILL, "".join(lines[-40:])
    assert proc.returncode == -signal.SIGKILL, "dbt finished before it could be killed"

    after_kill = checksums(db)
    assert after_kill == before, "a mart changed or vanished after the killed build"

    cmd, env = _dbt(db, tmp_path / "target_rerun", *SELECT)
    rerun = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-4000:]
    assert checksums(db) == before, "a refresh on the same data changed the marts"


def test_killed_while_marts_are_replaced_leaves_every_mart_as_it_was(published, tmp_path):
    from energy_dw import fault_inject

    db, before = published
    target = tmp_path / "target_kill"  # one target path: partial parsing across the runs
    _, env = _dbt(db, target)
    leftovers: set[str] = set()
    killed_rows: dict[str, str] = {}
    assert {mart for mart, _, _ in KILL_POINTS} <= set(before), sorted(before)

    for mart, after, _ in KILL_POINTS:
        killed = subprocess.run(
            [sys.executable, "-m", "energy_dw.fault_inject", "--node", mart, "--after", after,
             "--", "run", "--target", "ci", "--target-path",
             str(target), "--select", "util_as_of_date", mart, "--vars", OTHER_AS_OF],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        output = killed.stdout[-3000:] + killed.stderr[-3000:]
        assert fault_inject.MARKER in killed.stderr, f"{mart}: the fault was not reached\n{output}"
        assert killed.returncode == -signal.SIGKILL, f"{mart}: not killed\n{output}"
        killed_rows[mart] = re.search(r"\(rows=([^)]*)\)", killed.stderr).group(1)
        after_kill = checksums(db)
        # a Python model writes its new rows into <mart>__dbt_tmp in a transaction of its own:
        # a kill can leave that table behind (the next run drops it; readers of the published
        # warehouse.duckdb never see it, make build publishes only a passed build)
        leftovers |= {t for t in after_kill if t.endswith(("__dbt_tmp", "__dbt_backup"))}
        marts_now = {t: v for t, v in after_kill.items() if t not in leftovers}
        assert marts_now == before, (
            f"killed while replacing {mart}: marts changed or vanished "
            f"{sorted(t for t in before if marts_now.get(t) != before[t])}"
        )

    # the killed runs would have changed each mart: run them to the end
    cmd, env = _dbt(db, target, "util_as_of_date", *[mart for mart, _, _ in KILL_POINTS])
    completed = subprocess.run(
        [*cmd, "--vars", OTHER_AS_OF], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:]
    changed = checksums(db)
    left = sorted(leftovers & set(changed))
    assert not left, f"the next run did not drop what the killed runs left behind: {left}"
    unchanged = [m for m, _, proof in KILL_POINTS if proof == "changes" and changed[m] == before[m]]
    assert not unchanged, (
        f"a completed run leaves {unchanged} as they were: the kill proved nothing"
    )
    deleted = {m: n for m, n in killed_rows.items() if dict(KILL_KINDS)[m] == "rows"}
    idle = [m for m, n in deleted.items() if not (n.isdigit() and int(n) > 0)]
    assert not idle, (
        f"the killed delete and insert of {idle} touched no rows ({deleted}): nothing to undo"
    )
