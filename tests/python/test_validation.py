"""The great-expectations validation passes on the built warehouse and fails (exit 1, naming the
expectation) on a tampered copy: a rate above 1, a lost fact row, a unit error in consumption, an
orphan key."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import duckdb
import pytest
from conftest import ROOT, warehouse_path

from energy_dw.validation import checks, runner
from energy_dw.validation.engines import DuckDBEngine
from energy_dw.validation.suites import SUITES


def _built():
    path = warehouse_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} not built: run `make dbt-ci` first")
        pytest.skip(f"{path} not built: run `make dbt-ci` first")
    return path


def _validate(db, docs, *suites):
    args = [sys.executable, "-m", "energy_dw.validation", "--database", str(db)]
    args += ["--docs-dir", str(docs)]
    for suite in suites:
        args += ["--suite", suite]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_every_built_mart_has_a_declared_suite():
    con = duckdb.connect(str(_built()), read_only=True)
    marts = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    con.close()
    declared = {s.name for s in SUITES if s.is_mart}
    assert marts - declared == set(), "marts with only the generic suite: add them to suites.py"


def test_validation_passes_on_the_built_warehouse_and_writes_data_docs(tmp_path):
    run = _validate(_built(), tmp_path / "docs")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 suite(s) failed" in run.stdout
    assert (tmp_path / "docs" / "index.html").exists()
    assert list((tmp_path / "docs" / "validations").rglob("*.html"))


def test_a_failed_expectation_exits_non_zero(tmp_path):
    db = tmp_path / "tampered.duckdb"
    shutil.copy(_built(), db)
    con = duckdb.connect(str(db))
    con.execute(
        "update marts.fct_portfolio_monthly set churn_rate = 1.5 where portfolio_slice_month_id ="
        " (select min(portfolio_slice_month_id) from marts.fct_portfolio_monthly"
        "  where churn_rate is not null)"
    )
    con.execute(
        "delete from marts.fct_metering_bills"
        " where bill_id = (select min(bill_id) from marts.fct_metering_bills)"
    )
    con.execute(
        "update marts.fct_metering_consumption_monthly set consumption_kwh = consumption_kwh * 1000"
        " where fuel_type = 'GAS' and read_month = (select max(read_month) - interval 6 month"
        " from marts.fct_metering_consumption_monthly)"
    )
    con.close()
    run = _validate(
        db,
        tmp_path / "docs",
        "fct_portfolio_monthly",
        "fct_metering_bills",
        "fct_metering_consumption_monthly",
    )
    out = run.stdout
    assert run.returncode == 1, out + run.stderr[-2000:]
    assert "FAIL  fct_portfolio_monthly" in out and "column=churn_rate" in out
    assert "FAIL  fct_metering_bills" in out and "reconciliation" in out
    assert "mom_kwh_per_read_gas" in out
    assert (tmp_path / "docs" / "index.html").exists()


def test_a_declared_mart_that_is_not_built_fails(tmp_path):
    db = tmp_path / "missing.duckdb"
    shutil.copy(_built(), db)
    con = duckdb.connect(str(db))
    con.execute("drop table marts.fct_portfolio_notifications")
    con.close()
    run = _validate(db, tmp_path / "docs", "fct_portfolio_notifications")
    assert run.returncode == 1
    assert "declared but not built" in run.stdout


class _FrameEngine(DuckDBEngine):
    """An in-memory DuckDB with hand-made marts, to test the building blocks alone."""

    def __init__(self):
        self.path = ":memory:"
        self.name = "duckdb"
        self._con = duckdb.connect()
        self._con.execute("create schema marts")


def test_building_blocks_catch_jumps_and_undeclared_rates(tmp_path):
    engine = _FrameEngine()
    engine._con.execute(
        "create table marts.fct_things as select * from (values"
        " (date '2026-01-01', 100, 0.2), (date '2026-02-01', 110, 0.3),"
        " (date '2026-03-01', 400, 1.2)) as t(thing_month, things, thing_rate)"
    )
    suite = checks.Suite(
        name="fct_things",
        frames=[
            checks.month_over_month(
                "things",
                "select thing_month as month, things as value from {marts.fct_things}",
                0.5,
                2.0,
            )
        ],
    )
    frame = checks.mart_frame(suite, engine)
    assert (
        "thing_rate" in engine.render("select thing_rate from {marts.fct_things}")
        and frame.expectations[1].column == "thing_rate"
    )
    mom = suite.frames[0].build(engine)
    assert list(mom["mom_ratio"].round(2).fillna(-1)) == [-1, 1.1, 3.64]
    runner.SUITES.append(suite)
    try:
        out = io.StringIO()
        results = runner.run(engine, tmp_path / "docs", ["fct_things"], out=out)
    finally:
        runner.SUITES.remove(suite)
    failed = "\n".join(results[0].failed)
    assert "thing_rate" in failed and "mom_things" in failed, out.getvalue()


def test_the_same_sql_renders_for_bigquery():
    from energy_dw.validation.engines import BigQueryEngine

    engine = BigQueryEngine.__new__(BigQueryEngine)
    engine.project, engine.dataset, engine.raw_project = "p", "analytics", "raw-p"
    sql = engine.render("select * from {marts.fct_x} join {raw.pulse.account} using (a)")
    assert sql == "select * from `p.analytics_marts.fct_x` join `raw-p.pulse.account` using (a)"


class _Recording(DuckDBEngine):
    def __init__(self, path):
        super().__init__(str(path))
        self.seen: list[str] = []

    def _run(self, sql):
        self.seen.append(sql)
        return super()._run(sql)


def test_the_suites_sql_has_no_duckdb_only_syntax():
    """Every query the suites send is portable: BigQuery has no `::`, try_cast, strftime,
    epoch_ms, list_value, and its date_trunc/date_diff take other arguments."""
    engine = _Recording(_built())
    for suite in SUITES:
        frames = ([checks.mart_frame(suite, engine)] if suite.is_mart else []) + suite.frames
        for frame in frames:
            frame.build(engine)
    engine.close()
    assert len(engine.seen) > 50
    for sql in engine.seen:
        lowered = sql.lower()
        for bad in (
            "::",
            "try_cast",
            "strftime",
            "epoch_ms",
            "list_value",
            "date_trunc(",
            "date_diff(",
        ):
            assert bad not in lowered, sql
