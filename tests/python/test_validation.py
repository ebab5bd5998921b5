"""The great-expectations validation passes on the built warehouse and fails (exit 1, naming the
expectation) on a tampered copy: a rate above 1, a lost fact row, a unit error in consumption, an
orphan key. Every `validation:<suite>.<frame>` proof of docs/bad_input_catalogue.md has a tamper
case in TAMPERS: a copy of the warehouse altered so that that frame of that suite fails, while
it passes on the untampered warehouse (test_bad_input_catalogue.py requires one per proof)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

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


def _frames(docs) -> dict[str, dict]:
    """suite -> {"errors": [...], "failed": {frame labels with a failed expectation},
    "passed": {frame labels run and passed}, "notes": [...]} from the run's results file."""
    document = json.loads((docs / "results.json").read_text())
    out = {}
    for suite in document["suites"]:
        out[suite["suite"]] = {
            "errors": suite["errors"],
            "failed": {f["frame"] for f in suite["frames"] if f["failed"]},
            "passed": {f["frame"] for f in suite["frames"] if not f["failed"]},
            "notes": suite.get("notes", []),
        }
    return out


@dataclass(frozen=True)
class Tamper:
    """A broken copy of the warehouse for one proof of the catalogue: after `sql`, the frame
    `proof` (`<suite>.<frame>`) must fail; `also` names the other frames of the suite that the
    same break fails with it (none unless the break cannot avoid them)."""

    proof: str
    what: str
    sql: tuple[str, ...]
    also: frozenset[str] = frozenset()


# Every `validation:<suite>.<frame>` proof of docs/bad_input_catalogue.md, broken on purpose.
_AS_OF = "(select max(as_of_date) from utilities.util_as_of_date)"
_READS = "soe_junifer_model.w_actual_meterreads"
# one IMPORT read of the raw feed, copied with a read date ten days after the as-of date
_FUTURE_READ = (
    f"insert into {_READS} select * replace (cast({_AS_OF} + interval 10 day as date) as Read_Date)"
    f" from {_READS} where Register = 'IMPORT' and Consumption > 0"
    " order by MPXN, Read_Date limit 1"
)
TAMPERS = {
    "staging_loses_a_current_key": Tamper(
        "source_to_staging.reconciliation",
        "stg_pulse__contracts loses one contract that has a current version",
        (
            "alter view staging.stg_pulse__contracts rename to stg_pulse__contracts_whole",
            "create view staging.stg_pulse__contracts as select * from"
            " staging.stg_pulse__contracts_whole where contract_id <>"
            " (select min(contract_id) from staging.stg_pulse__contracts_whole)",
        ),
    ),
    "bill_lost": Tamper(
        "fct_metering_bills.reconciliation",
        "a billed period (its latest ACCEPTED bill) is lost from fct_metering_bills",
        (
            "delete from marts.fct_metering_bills"
            " where bill_id = (select max(bill_id) from marts.fct_metering_bills)",
        ),
    ),
    "bill_orphan_customer": Tamper(
        "fct_metering_bills.referential_completeness",
        "a bill's customer_id has no row in dim_metering_customers",
        (
            "update marts.fct_metering_bills set customer_id ="
            " (select max(customer_id) + 1 from marts.dim_metering_customers)"
            " where bill_id = (select min(bill_id) from marts.fct_metering_bills)",
        ),
    ),
    "future_read_kept": Tamper(
        "fct_metering_consumption_monthly.reconciliation",
        "a read dated after the as-of date arrives and the mart keeps it (its as-of filter lost)",
        (
            _FUTURE_READ,
            "update marts.fct_metering_consumption_monthly"
            f" set reads = reads + (select count(*) from {_READS} where Read_Date > {_AS_OF}),"
            " consumption_kwh = consumption_kwh + (select sum(Consumption) from"
            f" {_READS} where Read_Date > {_AS_OF})"
            " where consumption_monthly_id = (select max(consumption_monthly_id) from"
            " marts.fct_metering_consumption_monthly where read_month ="
            " (select max(read_month) from marts.fct_metering_consumption_monthly))",
        ),
    ),
    "elec_40_kwh_per_day": Tamper(
        "fct_opower_usage_feed.range_monthly_kwh_per_day",
        "every ELEC service point of one month at 40 kWh/day: each interval stays within its"
        " bound [-60, 100], the month's average is beyond 25",
        (
            "update marts.fct_opower_usage_feed set usage_value = 40 * duration"
            " where fuel = 'ELEC' and date_trunc('month', date_to) ="
            " (select date_trunc('month', max(date_to)) - interval 3 month"
            "  from marts.fct_opower_usage_feed)",
        ),
    ),
    "digital_journeys_empty": Tamper(
        "fct_operations_digital_journeys_daily.columns",
        "the digital journeys feed arrives empty, and so is its mart",
        (
            "delete from soe_junifer_model.digital_journey_performance",
            "delete from marts.fct_operations_digital_journeys_daily",
        ),
        # an empty mart's sum(attempts) is NULL: the reconciliation cannot hold either
        also=frozenset({"reconciliation"}),
    ),
}


@pytest.fixture(scope="module")
def untampered(tmp_path_factory):
    """One validation run of every suite on the built warehouse, shared by the tests below."""
    docs = tmp_path_factory.mktemp("untampered") / "docs"
    run = _validate(_built(), docs)
    return run, docs


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


def test_validation_passes_on_the_built_warehouse_and_writes_data_docs(untampered):
    run, docs = untampered
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 suite(s) failed" in run.stdout
    assert (docs / "index.html").exists()
    assert list((docs / "validations").rglob("*.html"))


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_each_catalogue_proof_fails_on_its_tampered_copy(case, untampered, tmp_path):
    tamper = TAMPERS[case]
    suite, _, frame = tamper.proof.partition(".")
    before = _frames(untampered[1])[suite]
    assert not before["errors"] and frame in before["passed"], (tamper.proof, before)
    db = tmp_path / "tampered.duckdb"
    shutil.copy(_built(), db)
    con = duckdb.connect(str(db))
    for sql in tamper.sql:
        con.execute(sql)
    con.close()
    run = _validate(db, tmp_path / "docs", suite)
    after = _frames(tmp_path / "docs")[suite]
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    assert not after["errors"], after["errors"]
    assert after["failed"] == {frame} | tamper.also, (tamper.what, after, run.stdout[-3000:])
    assert f"FAIL  {suite}" in run.stdout and f"- {frame}: " in run.stdout


def test_what_a_model_filters_out_is_counted_and_named(tmp_path):
    """A deleted key (a contract whose current version was closed) and a read dated after the
    as-of date leave staging and the mart on purpose: the validation passes, counting both out
    and naming them. The old checks (current versions only; reads up to the as-of date) passed
    on the same copy without a word."""
    db = tmp_path / "filtered.duckdb"
    shutil.copy(_built(), db)
    con = duckdb.connect(str(db))
    (deleted,) = con.execute("select max(contract_id) from pulse.contract").fetchone()
    con.execute(
        "update pulse.contract set meta_effective_to_timestamp = meta_effective_from_timestamp"
        f" + interval 1 day where contract_id = {deleted}"
        " and meta_effective_to_timestamp = timestamp '9999-01-01'"
    )
    con.execute(_FUTURE_READ)
    mpxn, read_date = con.execute(
        f"select MPXN, Read_Date from {_READS} where Read_Date > {_AS_OF}"
    ).fetchone()
    con.close()
    run = _validate(db, tmp_path / "docs", "source_to_staging", "fct_metering_consumption_monthly")
    assert run.returncode == 0, run.stdout[-3000:]
    frames = _frames(tmp_path / "docs")
    staging = " ".join(frames["source_to_staging"]["notes"])
    listed = re.search(r"deleted contract_id\(s\) \(no current version\) \(([^)]*)\)", staging)
    assert listed and str(deleted) in listed.group(1).split(", "), staging
    consumption = " ".join(frames["fct_metering_consumption_monthly"]["notes"])
    assert "1 reads dated after the as-of date" in consumption, consumption
    assert f"{mpxn} IMPORT {read_date})" in consumption, consumption
    assert "note: reconciliation: pulse.contract keys" in run.stdout, run.stdout[-3000:]


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
