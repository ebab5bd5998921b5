"""The data quality page shows the last build's dbt test results and the great-expectations
results as they are: the counts of run_results.json, each warning and failure with its rule and
the keys of its offending rows as the audit view holds them, and every suite of the validation's
results file. Expected values are read here straight from the files and the audit views."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import ROOT, dbt_target_path, warehouse_path
from streamlit.testing.v1 import AppTest

from dashboard.components import format_number
from dashboard.data import quality
from energy_dw.validation import checks, runner
from energy_dw.validation.engines import DuckDBEngine

APP = ROOT / "dashboard" / "app.py"
PAGE = "views/data_quality.py"
OFF_CYCLE = "opower_rule_off_cycle_period"
NO_GX = "No great-expectations results yet: run `make validate`"
PERSONAL = {"first_name", "last_name", "email", "phone", "postcode", "customer_name"}


def built() -> Path:
    path = warehouse_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"warehouse {path} not built: run `make dbt-ci` first")
        pytest.skip(f"warehouse {path} not built: run `make dbt-ci` first")
    return path


def build_results() -> Path:
    """The target path of the build, whose run_results.json must be the build's own."""
    built()
    target = dbt_target_path()
    file = target / "run_results.json"
    assert file.exists(), f"{file} missing: the build's dbt results are needed"
    command = json.loads(file.read_text())["args"].get("which")
    assert command in ("build", "test"), (
        f"{file} holds the results of `dbt {command}`, not of the build: a later dbt command "
        "wrote into the build's target path"
    )
    return target


def open_page(monkeypatch, target: Path, database: Path | None = None) -> AppTest:
    monkeypatch.setenv("DASHBOARD_TARGET", "dev")
    monkeypatch.setenv("DASHBOARD_DUCKDB_PATH", str(database or built()))
    monkeypatch.setenv("DASHBOARD_DBT_TARGET_PATH", str(target))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()  # the home page: st.navigation registers the pages' url paths
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


TABLES = {
    "problems": "tested relation",
    "suites": "expectations",
    "expectation failures": "detail",
}


def table(at: AppTest, name: str) -> pd.DataFrame:
    """A table of the page by a column only it has (AppTest knows no key of a read-only table)."""
    found = [f.value for f in at.dataframe if TABLES[name] in f.value.columns]
    assert len(found) == 1, f"{len(found)} tables with a column {TABLES[name]!r}"
    return found[0]


def rows_under(at: AppTest, heading: str) -> pd.DataFrame:
    """The offending rows shown in the expander of a warning or failure."""
    (expander,) = [e for e in at.expander if e.label == heading]
    (frame,) = expander.dataframe
    return frame.value


def copy_artifacts(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("run_results.json", "manifest.json"):
        shutil.copy(source / name, target / name)
    return target


# --- dbt results ---------------------------------------------------------------------------------


def test_the_counts_and_the_off_cycle_warning_with_its_rows(monkeypatch):
    target = build_results()
    at = open_page(monkeypatch, target)
    assert not at.error, [e.value for e in at.error]
    cards = {m.label: m.value for m in at.metric}
    expected = expected_cards(None, target_path=target)
    assert {k: cards[k] for k in expected} == expected
    assert cards["Warnings"] != "0"

    results = json.loads((target / "run_results.json").read_text())["results"]
    (off_cycle,) = [r for r in results if r["unique_id"].split(".")[2] == OFF_CYCLE]
    assert off_cycle["status"] == "warn" and off_cycle["failures"] > 0
    problems = table(at, "problems")
    row = problems[problems["test"] == OFF_CYCLE].iloc[0]
    assert (row["status"], row["rule"], row["tested relation"], row["rows"]) == (
        "warn",
        "expression_is_true",
        "marts.fct_opower_usage_feed",
        off_cycle["failures"],
    )
    heading = (
        f"WARN: rule `expression_is_true` ({OFF_CYCLE}) on marts.fct_opower_usage_feed: "
        f"{format_number(off_cycle['failures'])} row(s)"
    )
    shown = rows_under(at, heading)
    columns = list(shown.columns)
    assert "usage_interval_id" in columns and "service_point_id" in columns
    assert "is_off_cycle" in columns  # the column the rule names
    assert not set(columns) & PERSONAL
    con = duckdb.connect(str(built()), read_only=True)
    try:
        select = ", ".join(columns)
        expected_rows = con.execute(
            f"select {select} from audit.{OFF_CYCLE} order by {select} limit 20"
        ).df()
        total = con.execute(f"select count(*) from audit.{OFF_CYCLE}").fetchone()[0]
    finally:
        con.close()
    assert total == off_cycle["failures"]
    pd.testing.assert_frame_equal(
        shown.reset_index(drop=True), expected_rows, check_dtype=False, check_like=False
    )
    assert any(f"first {min(total, 20)} of {format_number(total)}" in c.value for c in at.caption)


def test_a_tampered_failure_shows_with_its_rule(monkeypatch, tmp_path):
    source = build_results()
    target = copy_artifacts(source, tmp_path / "target")
    document = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())["nodes"]
    victim = next(
        r
        for r in document["results"]
        if r["status"] == "pass"
        and r["unique_id"].startswith("test.")
        and (manifest[r["unique_id"]].get("test_metadata") or {}).get("name") == "unique"
        and "fct_operations_bills_daily" in r["unique_id"]
    )
    victim.update(status="fail", failures=3, message="Got 3 results, configured to fail if != 0")
    (target / "run_results.json").write_text(json.dumps(document))
    name = manifest[victim["unique_id"]]["name"]

    at = open_page(monkeypatch, target)
    cards = {m.label: m.value for m in at.metric}
    assert cards["Failures"] == "1"
    problems = table(at, "problems")
    first = problems.iloc[0]  # failures come before warnings
    assert (first["status"], first["rule"], first["test"], first["rows"]) == (
        "fail",
        "unique",
        name,
        3,
    )
    assert first["tested relation"] == "marts.fct_operations_bills_daily"
    heading = f"FAIL: rule `unique` ({name}) on marts.fct_operations_bills_daily: 3 row(s)"
    # its audit view is read: on the untampered data it holds no row
    assert rows_under(at, heading).empty
    assert cards == expected_cards(None, target_path=target)


def test_no_dbt_results_is_a_note_not_an_error(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path / "empty_target")
    assert not at.error
    notes = [i.value for i in at.info]
    assert any("No dbt test results yet" in n for n in notes)
    assert NO_GX in notes


def test_no_warehouse_gives_one_clear_message(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path, database=tmp_path / "never_built.duckdb")
    assert [e.value for e in at.error] == [
        f"No warehouse has been built yet: {tmp_path / 'never_built.duckdb'} does not exist."
    ]
    assert "make build" in at.info[0].value
    assert not at.metric


# --- great-expectations results ------------------------------------------------------------


def results_file(path: Path) -> dict:
    document = {
        "format": 1,
        "generated_at": "2026-11-01T06:00:00+00:00",
        "engine": "duckdb",
        "success": False,
        "suites": [
            {
                "suite": "fct_portfolio_monthly",
                "relation": "marts.fct_portfolio_monthly",
                "success": False,
                "expectations": 28,
                "passed": 27,
                "failed": 1,
                "errors": [],
                "failures": [
                    {
                        "frame": "columns",
                        "expectation": "expect_column_values_to_be_between",
                        "text": "expect_column_values_to_be_between(column=churn_rate, "
                        "min_value=0, max_value=1): 1 unexpected, e.g. [1.5]",
                    }
                ],
                "details": ["reconciliation: rows expected 10, got 9"],
            },
            {
                "suite": "fct_metering_bills",
                "relation": "marts.fct_metering_bills",
                "success": True,
                "expectations": 8,
                "passed": 8,
                "failed": 0,
                "errors": [],
                "failures": [],
                "details": [],
            },
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return document


def test_each_suite_of_the_results_file_is_shown(monkeypatch, tmp_path):
    target = tmp_path / "target"
    document = results_file(target / "validation_docs" / "results.json")
    at = open_page(monkeypatch, target)
    suites = table(at, "suites")
    assert list(suites["suite"]) == [s["suite"] for s in document["suites"]]
    assert list(suites["relation"]) == [s["relation"] for s in document["suites"]]
    assert list(suites["expectations"]) == [28, 8]
    assert list(suites["passed"]) == [27, 8]
    assert list(suites["failed"]) == [1, 0]
    assert list(suites["success"]) == [False, True]
    failures = table(at, "expectation failures")
    assert list(failures["suite"]) == ["fct_portfolio_monthly"] * 2
    assert (
        failures["detail"].iloc[0]
        == "column=churn_rate, min_value=0, max_value=1: 1 unexpected, e.g. [1.5]"
    )
    assert failures["expectation"].iloc[0] == "expect_column_values_to_be_between"
    assert failures["detail"].iloc[1] == "rows expected 10, got 9"
    cards = {m.label: m.value for m in at.metric}
    assert cards["Suites"] == "2" and cards["Suites failed"] == "1"
    assert cards["Expectations"] == "36" and cards["Expectations failed"] == "1"
    assert NO_GX not in [i.value for i in at.info]


def test_the_validation_writes_its_results_file(tmp_path):
    """`python -m energy_dw.validation --docs-dir DIR` writes DIR/results.json (the path the page
    reads is <target path>/validation_docs/results.json), one entry per suite."""
    docs = tmp_path / "validation_docs"
    run = subprocess.run(
        [sys.executable, "-m", "energy_dw.validation", "--database", str(built())]
        + ["--docs-dir", str(docs), "--suite", "fct_operations_bills_daily"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    document = json.loads((docs / "results.json").read_text())
    (suite,) = document["suites"]
    assert suite["suite"] == "fct_operations_bills_daily"
    assert suite["relation"] == "marts.fct_operations_bills_daily"
    assert suite["success"] and suite["failed"] == 0
    assert (
        suite["expectations"] == suite["passed"] == sum(f["expectations"] for f in suite["frames"])
    )
    assert (docs / "index.html").exists()
    other = tmp_path / "elsewhere.json"
    run = subprocess.run(
        [sys.executable, "-m", "energy_dw.validation", "--database", str(built())]
        + ["--docs-dir", str(docs), "--suite", "fct_operations_bills_daily"]
        + ["--results-json", str(other)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and json.loads(other.read_text())["suites"][0]["suite"]


class _FrameEngine(DuckDBEngine):
    def __init__(self):
        self.path = ":memory:"
        self.name = "duckdb"
        self._con = duckdb.connect()
        self._con.execute("create schema marts")


def test_a_failed_expectation_is_recorded_with_its_details(tmp_path):
    engine = _FrameEngine()
    engine._con.execute(
        "create table marts.fct_things as select * from (values"
        " (date '2026-01-01', 0.2), (date '2026-02-01', 1.5)) as t(thing_month, thing_rate)"
    )
    suite = checks.Suite(name="fct_things")
    runner.SUITES.append(suite)
    try:
        results = runner.run(engine, tmp_path / "docs", ["fct_things"], out=io.StringIO())
    finally:
        runner.SUITES.remove(suite)
    runner.write_results_json(results, tmp_path / "docs" / "results.json", engine)
    document = json.loads((tmp_path / "docs" / "results.json").read_text())
    (record,) = document["suites"]
    assert (record["suite"], record["relation"], record["success"]) == (
        "fct_things",
        "marts.fct_things",
        False,
    )
    assert (record["expectations"], record["passed"], record["failed"]) == (2, 1, 1)
    (failure,) = record["failures"]
    assert failure["expectation"] == "expect_column_values_to_be_between"
    assert failure["kwargs"]["column"] == "thing_rate" and failure["unexpected_count"] == 1
    assert failure["sample"] == [1.5] and "thing_rate" in failure["text"]
    assert document["success"] is False
    dt.datetime.fromisoformat(document["generated_at"])


# --- the data module alone -----------------------------------------------------------------------


def _problem(**changes) -> quality.Problem:
    values = dict(
        unique_id="test.p.t",
        name="t",
        status="fail",
        kind="data test",
        rule="unique",
        rule_arguments="",
        description="",
        tested="marts.x",
        failures=1,
        message="",
        audit=("audit", "t"),
    )
    return quality.Problem(**(values | changes))


def test_only_keys_and_named_columns_never_personal_data():
    pii = frozenset({"email", "postcode"})
    columns = ["account_id", "email", "postcode", "amount", "is_bad", "n_records"]
    assert quality.shown_columns(columns, _problem(columns_named=("is_bad",)), pii) == [
        "account_id",
        "is_bad",
    ]
    # a generic test's view without keys is shown whole, personal columns left out
    assert quality.shown_columns(["unique_field", "n_records", "email"], _problem(), pii) == [
        "unique_field",
        "n_records",
    ]
    # a test on a relation with personal data: its keys only, or nothing
    personal = _problem(personal=True)
    assert quality.shown_columns(columns, personal, pii) == ["account_id"]
    assert quality.shown_columns(["unique_field", "n_records"], personal, pii) == []
    # ... unless the test is on a key column: its values are keys
    on_key = _problem(personal=True, column="customer_id")
    assert quality.shown_columns(["unique_field", "n_records"], on_key, pii) == [
        "unique_field",
        "n_records",
    ]
    on_email = _problem(personal=True, column="email")
    assert quality.shown_columns(["unique_field", "n_records"], on_email, pii) == []


def test_on_bigquery_the_rows_are_said_to_be_kept_on_duckdb_only():
    class BigQuery:
        engine = "bigquery"

        def query(self, sql, params=None):  # pragma: no cover - must not be called
            raise AssertionError("no audit query on BigQuery")

    found = quality.audit_rows(BigQuery(), _problem(), frozenset())
    assert found.rows is None and "kept on DuckDB only" in found.note


# --- for the browser test --------------------------------------------------------------------


def expected_cards(con=None, target_path: Path | None = None) -> dict[str, str]:
    """The cards of the data quality page (label -> text), read straight from the files of the
    target path: run_results.json (tests by status) and validation_docs/results.json (suites)."""
    target = target_path or dbt_target_path()
    cards = {}
    results_file_path = target / "run_results.json"
    if results_file_path.exists():
        results = json.loads(results_file_path.read_text())["results"]
        counts = Counter(
            r["status"] for r in results if r["unique_id"].startswith(("test.", "unit_test."))
        )
        labels = {
            "pass": "Tests passed",
            "warn": "Warnings",
            "fail": "Failures",
            "error": "Errors",
            "skipped": "Skipped",
        }
        cards |= {label: format_number(counts.get(s, 0)) for s, label in labels.items()}
    gx = target / "validation_docs" / "results.json"
    if gx.exists():
        suites = json.loads(gx.read_text())["suites"]
        cards |= {
            "Suites": format_number(len(suites)),
            "Suites failed": format_number(sum(not s["success"] for s in suites)),
            "Expectations": format_number(sum(s["expectations"] for s in suites)),
            "Expectations failed": format_number(sum(s["failed"] for s in suites)),
        }
    return cards
