"""`make refresh`, the scheduler's one command, replayed over three load days.

A small generated world (the one tests/python/test_incremental.py replays, same scale and days)
is built as it stood before the first replayed day, in a scratch root of the project (its own
target/ and warehouse.duckdb). Then `make refresh` runs once per load day with
`raw_loaded_before` one day later each time, as the scheduler would: freshness gate (anchored on
the replayed moment), incremental `dbt build` with its tests, the GX suites of the built marts,
publish. After the third day the published warehouse equals a full refresh row for row (EXCEPT
ALL both ways). The selection is the incremental models and what they read (their tests run with
them): the refresh logic is theirs, and a whole-project build per day would not fit make test.

Failure paths: a stale source stops the refresh at the gate with exit status 3, naming the
source, and nothing is built or published.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from test_incremental import SCALE, _difference, _incremental_models, _replay_days

# the incremental models and what they read, and the marts their GX suites compare them with
SELECTION = (
    "+config.materialized:incremental +fct_metering_consumption_monthly +dim_metering_customers"
    " +fct_metering_bills +dim_portfolio_accounts"
)
# Left out of the replayed refreshes: the unit tests (they read no data; make dbt-ci runs them),
# and one data test the replay itself breaks, not the refresh: `raw_loaded_before` hides a sale
# order ordered after the moment, but shows one ordered before it with its later `fulfilled_at`
# (pulse.sale_order is loaded at `ordered_at`), so an installation date lies after the
# replayed day's snapshot; a full build as of that moment fails the same test.
EXCLUDE = "test_type:unit fct_portfolio_account_monthly,test_name:expression_is_true"
VENV = Path(sys.prefix)


def _make_refresh(project: Path, variables: dict, *extra: str) -> subprocess.CompletedProcess:
    """`make refresh` in the scratch root, with the running interpreter's virtualenv (never
    installing into it: INSTALLED=1)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update(DBT_TARGET="ci", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    command = ["make", "--no-print-directory", "-C", str(project), "refresh", f"VENV={VENV}"]
    command += ["INSTALLED=1", f"REFRESH_VARS={json.dumps(variables)}", *extra]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip


def _dbt(project: Path, db: Path, target: Path, variables: dict, *args: str) -> None:
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(project))
    run = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--target", "ci"]
        + ["--target-path", str(target), "--vars", json.dumps(variables)],
        cwd=project, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:]


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    from energy_dw import scratch_project

    tmp = tmp_path_factory.mktemp("refresh")
    data = tmp / "raw"
    subprocess.run(
        [sys.executable, "-m", "energy_dw.generator", "--scale", SCALE, "--format", "parquet"]
        + ["--out", str(data), "--quiet"],
        check=True,
        cwd=ROOT,
    )
    days = _replay_days(data)
    project = scratch_project.create(tmp / "project")

    def loaded_before(day) -> dict:
        return {"raw_path": str(data), "raw_loaded_before": f"{day} 00:00:00"}

    working = project / "target" / "warehouse.duckdb"
    # the warehouse as it stood before the first replayed day (what the scheduler found)
    _dbt(project, working, project / "target", loaded_before(days[0]), "seed")
    _dbt(
        project,
        working,
        project / "target",
        loaded_before(days[0]),
        "run",
        "-s",
        *SELECTION.split(),
    )
    runs = []
    for day in days:
        run = _make_refresh(
            project,
            loaded_before(day + timedelta(days=1)),
            f"REFRESH_SELECT={SELECTION}",
            f"REFRESH_EXCLUDE={EXCLUDE}",
        )
        runs.append(run)
        assert run.returncode == 0, f"make refresh for {day}:\n{run.stdout[-6000:]}{run.stderr}"
    full = tmp / "full.duckdb"
    everything = loaded_before(days[-1] + timedelta(days=1))
    _dbt(project, full, tmp / "target_full", everything, "seed")
    _dbt(
        project,
        full,
        tmp / "target_full",
        everything,
        "run",
        "--full-refresh",
        "-s",
        *SELECTION.split(),
    )
    yield {
        "project": project, "days": days, "runs": runs, "full": full, "data": data,
        "models": _incremental_models(project / "target"), "target": project / "target",
    }  # fmt: skip


def _tables(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and table_schema not in ('audit', 'main')"
            " and table_schema not like '%seed%' order by 1, 2"
        ).fetchall()
    finally:
        con.close()


def test_each_day_ran_every_step_incrementally(replay):
    for day, run in zip(replay["days"], replay["runs"], strict=True):
        steps = [line for line in run.stdout.splitlines() if line.startswith("refresh: step ")]
        assert steps == [
            f"refresh: step {s}" for s in ("freshness", "build", "validation", "publish")
        ], f"{day}: {steps}"
        assert "--full-refresh" not in run.stdout, f"{day}: the refresh ran a full refresh"
        built = [line for line in run.stdout.splitlines() if "$ " in line and " build " in line]
        assert built, f"{day}: no dbt build"
        assert "Results:" in run.stdout, f"{day}: the GX suites did not run"


def test_the_published_warehouse_equals_a_full_build_after_three_days(replay):
    published = replay["project"] / "warehouse.duckdb"
    assert published.exists(), "make refresh published nothing"
    tables = _tables(replay["full"])
    incremental = {name for _, name in replay["models"]}
    assert incremental <= {name for _, name in tables}, sorted(incremental)
    assert set(tables) <= set(_tables(published)), "tables of the full build not published"
    con = duckdb.connect(str(published), read_only=True)
    con.execute(f"attach '{replay['full']}' as rebuilt (read_only)")
    try:
        for schema, name in tables:
            here, there = f"{schema}.{name}", f"rebuilt.{schema}.{name}"
            assert _difference(con, here, there) == 0, f"{name}: rows not in the full build"
            assert _difference(con, there, here) == 0, f"{name}: full-build rows missing"
        # the third day's data reached the published file (not only the working file)
        (latest,) = con.execute(
            "select max(cast(loaded_at as date)) from staging.stg_junifer__actual_meter_reads"
        ).fetchone()
        assert latest == replay["days"][-1], latest
    finally:
        con.close()


def test_a_stale_source_stops_the_refresh_at_the_gate(replay):
    """The gate's "now" set a month after the data: the event tables are past error_after."""
    project = replay["project"]
    published = project / "warehouse.duckdb"
    before = published.stat().st_mtime_ns
    late = {
        "raw_path": str(replay["data"]),
        "raw_loaded_before": f"{replay['days'][-1] + timedelta(days=1)} 00:00:00",
        "freshness_at": f"{replay['days'][-1] + timedelta(days=31)} 00:00:00",
    }
    run = _make_refresh(project, late, f"REFRESH_SELECT={SELECTION}")
    assert run.returncode != 0
    assert "FAILED at freshness: exit status 3" in run.stdout, run.stdout[-3000:]
    assert "junifer_enriched.bill: error" in run.stdout, run.stdout[-3000:]
    assert "refresh: step build" not in run.stdout
    assert published.stat().st_mtime_ns == before, "a stopped refresh published"


@pytest.mark.parametrize(
    "state, results, expected",
    [
        ("build", "build", "retry"),  # the build failed (or was stopped) and wrote its results
        ("build", None, "build"),  # killed before dbt wrote them: the build again
        ("built", "build", "build"),  # the last build succeeded: nothing to resume
        ("build", "seed", "build"),  # results of another command are not the dead build's
    ],
)
def test_retry_resumes_with_dbt_retry_only_from_the_dead_builds_results(
    tmp_path, monkeypatch, state, results, expected
):
    from energy_dw import refresh

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(ROOT))
    (tmp_path / refresh.STATE).write_text(json.dumps({"step": state, "at": 0}))
    if results:
        (tmp_path / "run_results.json").write_text(json.dumps({"args": {"which": results}}))
    args = refresh.argparse.Namespace(
        target="ci", vars="", select=None, retry=True, published=tmp_path / "w.duckdb",
        no_validate=True,
    )  # fmt: skip
    job = refresh.Refresh(args)
    calls = []
    monkeypatch.setattr(job, "dbt", lambda *command, select=False: calls.append(command) or 0)
    assert job.build() == refresh.OK
    assert [c[0] for c in calls] == [expected], calls
    if expected == "build":  # a new build never leaves an older run's results behind
        assert not (tmp_path / "run_results.json").exists()
