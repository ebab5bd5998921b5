"""The incremental facts give exactly the rows of a full refresh, and a refresh is idempotent.

A small generated world (Parquet, through the `raw_path` switch) is built fully as it stood
before a load day that brings late reads and a re-bill (`raw_loaded_before`), then refreshed
incrementally with that day: new rows, late rows and SCD2 changes (an old bill SUPERSEDED).
Every incremental model is compared row for row (EXCEPT both ways) with a full refresh of the
same data; the same refresh run twice leaves no duplicate and the same content.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

DBT = Path(sys.executable).parent / "dbt"
SCALE = "0.0005"


def _dbt(args: list[str], db: Path, target_path: Path, variables: dict) -> str:
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(ROOT))
    run = subprocess.run(
        [str(DBT), *args, "--target", "ci", "--target-path", str(target_path)]
        + ["--vars", json.dumps(variables)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    return run.stdout


def _incremental_models(target_path: Path) -> list[tuple[str, str]]:
    manifest = json.loads((target_path / "manifest.json").read_text())
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    )


def _difference(con, left: str, right: str) -> int:
    (rows,) = con.execute(
        f"select count(*) from (select * from {left} except all select * from {right})"
    ).fetchone()
    return rows


LATE_READ_DAYS = """
    select distinct cast(meta_loaded_at as date) as load_day
    from read_parquet('{data}/soe_junifer_model.w_actual_meterreads.parquet')
    where Read_Date < cast(meta_loaded_at as date) - 2
"""
REBILL_DAYS = """
    select distinct cast(meta_effective_from_timestamp as date) as load_day
    from read_parquet('{data}/junifer_enriched.bill.parquet')
    where status = 'SUPERSEDED'
        and cast(created_dttm as date) < cast(meta_effective_from_timestamp as date)
"""


def _replay_day(data: Path) -> date:
    """The latest load day that brings late reads and a re-bill (an old bill SUPERSEDED)."""
    (day,) = duckdb.execute(
        f"select max(load_day) from ({LATE_READ_DAYS.format(data=data)} "
        f"intersect {REBILL_DAYS.format(data=data)})"
    ).fetchone()
    assert day is not None, "the generated world has no day with late reads and a re-bill"
    return day


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Builds: `inc` (full as of the last day, then incremental), `full` (full refresh)."""
    tmp = tmp_path_factory.mktemp("incremental")
    data = tmp / "raw"
    subprocess.run(
        [sys.executable, "-m", "energy_dw.generator", "--scale", SCALE, "--format", "parquet"]
        + ["--out", str(data), "--quiet"],
        check=True,
        cwd=ROOT,
    )
    day = _replay_day(data)
    before = {"raw_path": str(data), "raw_loaded_before": f"{day} 00:00:00"}
    everything = {"raw_path": str(data), "raw_loaded_before": f"{day + timedelta(days=1)} 00:00:00"}
    selection = ["--select", "+config.materialized:incremental"]
    target = tmp / "target"
    inc, full, twice = tmp / "inc.duckdb", tmp / "full.duckdb", tmp / "twice.duckdb"
    for db in (inc, full):  # the reference seeds (opco policy); raw seeds are off with raw_path
        _dbt(["seed"], db, target, before)
    _dbt(["run", "--full-refresh", *selection], inc, target, before)
    first = tmp / "first.duckdb"
    first.write_bytes(inc.read_bytes())
    _dbt(["run", *selection], inc, target, everything)
    twice.write_bytes(inc.read_bytes())
    _dbt(["run", *selection], twice, target, everything)
    _dbt(["run", "--full-refresh", *selection], full, target, everything)
    models = _incremental_models(target)
    con = duckdb.connect(str(inc))
    for name, path in (("rebuilt", full), ("twice", twice), ("first", first)):
        con.execute(f"attach '{path}' as {name} (read_only)")
    yield {"con": con, "models": models, "data": data, "day": day, "target": target}
    con.close()


def _models_with_incremental_code(target_path: Path) -> set[str]:
    """Models whose SQL has an incremental branch or an incremental config macro."""
    manifest = json.loads((target_path / "manifest.json").read_text())
    markers = ("is_incremental()", "incremental_by_key(", "incremental_by_period(")
    return {
        node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and any(m in node["raw_code"] for m in markers)
    }


def _documented_incremental_models() -> set[str]:
    """The models of the table at the top of docs/incremental.md (first column)."""
    names = set()
    for line in (ROOT / "docs" / "incremental.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 2 and cells[1].startswith("`"):
            names.add(cells[1].split("`")[1])
    return names


def test_every_model_with_incremental_code_is_incremental_and_compared(world):
    """The compared models come from the manifest; a model whose SQL has an incremental branch
    but was switched to another materialization (and would drop out of the comparison silently)
    fails here, and so does one the docs list as incremental."""
    compared = {name for _, name in world["models"]}
    coded = _models_with_incremental_code(world["target"])
    documented = _documented_incremental_models()
    assert coded, "no model with incremental code found in the manifest"
    assert coded - compared == set(), (
        f"incremental code, not materialized incremental: {coded - compared}"
    )
    assert documented - compared == set(), (
        f"documented incremental, not incremental: {documented - compared}"
    )
    assert compared - documented == set(), (
        f"incremental but missing from docs/incremental.md: {compared - documented}"
    )


def test_the_new_day_brings_late_rows_and_scd2_changes(world):
    """Checked on what was built, not on the queries that picked the day: the refresh shows the
    day's late reads in staging and adds them to old read dates of the daily fact (the build
    before the day had fewer), and the re-bill changes the bill kept for some period."""
    con, day = world["con"], world["day"]
    (late_staged,) = con.execute(
        "select count(*) from staging.stg_junifer__actual_meter_reads"
        " where cast(loaded_at as date) = ? and read_date < ? - 2",
        [day, day],
    ).fetchone()
    assert late_staged > 0, "no late read loaded on the replay day"
    old_reads = (
        "select coalesce(sum(reads), 0) from {db}marts.fct_operations_meter_reads_daily"
        " where read_date < ? - 2"
    )
    (after,) = con.execute(old_reads.format(db=""), [day]).fetchone()
    (before,) = con.execute(old_reads.format(db="first."), [day]).fetchone()
    assert after > before, "the late reads did not reach their old read dates"
    (rebilled,) = con.execute(
        "select count(*) from intermediate.int_bill_periods_billed as now"
        " inner join first.intermediate.int_bill_periods_billed as was using (bill_period_id)"
        " where now.bill_id is distinct from was.bill_id"
    ).fetchone()
    assert rebilled > 0, "the re-bill did not change the bill kept for any period"


def test_the_refresh_changed_rows_of_the_models_the_day_touches(world):
    """Per model, rows that differ between the build before the day and the refresh. The single
    replay day reaches the facts of reads, bills and bill periods (late reads, a re-bill): each of
    those must have changed, not just the total over all models."""
    con = world["con"]
    changed = {
        name: _difference(con, f"{schema}.{name}", f"first.{schema}.{name}")
        + _difference(con, f"first.{schema}.{name}", f"{schema}.{name}")
        for schema, name in world["models"]
    }
    touched = {
        "fct_operations_meter_reads_daily",
        "fct_metering_customer_consumption_monthly",
        "fct_operations_bills_daily",
        "int_bill_periods_billed",
    }
    unchanged = sorted(name for name in touched if changed.get(name, 0) == 0)
    assert not unchanged, f"the refresh did not change {unchanged}: {changed}"


def test_incremental_equals_full_refresh_row_for_row(world):
    con = world["con"]
    for schema, name in world["models"]:
        here, there = f"{schema}.{name}", f"rebuilt.{schema}.{name}"
        assert _difference(con, here, there) == 0, f"{name}: rows not in the full refresh"
        assert _difference(con, there, here) == 0, f"{name}: full-refresh rows missing"


def test_the_same_refresh_twice_changes_nothing(world):
    con = world["con"]
    for schema, name in world["models"]:
        here, there = f"{schema}.{name}", f"twice.{schema}.{name}"
        (rows, distinct) = con.execute(
            f"select count(*), (select count(*) from (select distinct * from {there})) from {there}"
        ).fetchone()
        assert rows == distinct, f"{name}: duplicate rows after a second refresh"
        assert _difference(con, here, there) == 0 and _difference(con, there, here) == 0, name
