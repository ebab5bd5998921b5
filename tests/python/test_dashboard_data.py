"""The dashboards' data module: parameters, readers, and the one clear message per failure.

Each reader failure a page can meet (no warehouse built, a mart missing or empty, BigQuery without
a project, without credentials, or unreachable) must become a WarehouseUnavailable that says what
is missing and what to run: the page shows that message, never a traceback.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard.data import (
    DuckDBReader,
    WarehouseUnavailable,
    expand_parameters,
    open_reader,
    require_rows,
)

ROOT = Path(__file__).resolve().parents[2]


def test_a_list_parameter_expands_to_one_parameter_per_value():
    sql, params = expand_parameters(
        "select 1 where region in @regions and m >= @start", {"regions": ["N", "S"], "start": 3}
    )
    assert sql == "select 1 where region in (@regions_0, @regions_1) and m >= @start"
    assert params == {"regions_0": "N", "regions_1": "S", "start": 3}


def test_an_empty_list_matches_no_row_and_a_missing_parameter_is_an_error():
    sql, params = expand_parameters("select 1 where region in @regions", {"regions": []})
    assert sql == "select 1 where region in (null)" and params == {}
    with pytest.raises(KeyError, match="@start"):
        expand_parameters("select @start", {})


@pytest.fixture()
def small_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.fct_sales as select * from (values ('N', 2), ('S', 3)) t(r, n)")
    con.execute("create table marts.fct_nothing (r varchar)")
    con.close()
    return path


def test_the_duckdb_reader_binds_parameters_and_lists(small_warehouse: Path):
    reader = DuckDBReader(small_warehouse)
    try:
        frame = reader.query(
            "select sum(n) as n from marts.fct_sales where r in @rs and n >= @least",
            {"rs": ["N", "S"], "least": 3},
        )
        assert frame["n"].tolist() == [3]
        none = reader.query("select count(*) as c from marts.fct_sales where r in @rs", {"rs": []})
        assert none["c"].tolist() == [0]
    finally:
        reader.close()


def test_the_duckdb_reader_opens_read_only(small_warehouse: Path):
    reader = DuckDBReader(small_warehouse)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            reader.query("create table marts.written as select 1 as x")
    finally:
        reader.close()


def test_no_warehouse_built_says_run_make_build(tmp_path: Path):
    env = {"DASHBOARD_TARGET": "dev", "DASHBOARD_DUCKDB_PATH": str(tmp_path / "none.duckdb")}
    with pytest.raises(WarehouseUnavailable) as raised:
        open_reader(env)
    assert "none.duckdb does not exist" in raised.value.what
    assert "make build" in raised.value.remedy


def test_a_missing_mart_is_named(small_warehouse: Path):
    reader = DuckDBReader(small_warehouse)
    try:
        with pytest.raises(WarehouseUnavailable) as raised:
            reader.query("select * from marts.fct_missing")
    finally:
        reader.close()
    assert "marts.fct_missing" in raised.value.what
    assert "make build" in raised.value.remedy


def test_an_empty_mart_is_named(small_warehouse: Path):
    reader = DuckDBReader(small_warehouse)
    try:
        frame = reader.query("select * from marts.fct_nothing")
    finally:
        reader.close()
    with pytest.raises(WarehouseUnavailable, match="marts.fct_nothing is empty"):
        require_rows(frame, "marts.fct_nothing")
    assert require_rows(pd.DataFrame({"x": [1]}), "marts.x").shape == (1, 1)


def test_an_unknown_target_is_named():
    with pytest.raises(WarehouseUnavailable, match="DASHBOARD_TARGET=staging"):
        open_reader({"DASHBOARD_TARGET": "staging"})


def test_bigquery_without_a_project_says_which_variable():
    with pytest.raises(WarehouseUnavailable) as raised:
        open_reader({"DASHBOARD_TARGET": "prod"})
    assert "DBT_BQ_PROJECT" in raised.value.what


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Run in a subprocess: google.auth decides at import whether it may probe the GCE metadata
# server, and a test must not send traffic off this machine (NO_GCE_CHECK=true forbids it).
PROBE = """
import json, sys
from dashboard.data import WarehouseUnavailable, open_reader
env = json.loads(sys.argv[1])
try:
    reader = open_reader(env)
    reader.query("select count(*) as n from marts.fct_metering_overview_monthly")
    print(json.dumps({"ok": True}))
except WarehouseUnavailable as error:
    print(json.dumps({"what": error.what, "remedy": error.remedy}))
"""


def _probe(env: dict[str, str], home: Path) -> dict:
    process_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GOOGLE_", "CLOUDSDK_", "DBT_BQ_"))
    }
    process_env.update({"NO_GCE_CHECK": "true", "HOME": str(home), "PYTHONPATH": str(ROOT)})
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(env)],
        env=process_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_bigquery_without_credentials_says_how_to_log_in(tmp_path: Path):
    answer = _probe({"DASHBOARD_TARGET": "prod", "DBT_BQ_PROJECT": "some-project"}, tmp_path)
    assert "No BigQuery credentials" in answer["what"]
    assert "gcloud auth application-default login" in answer["remedy"]


def test_bigquery_unreachable_is_said_within_the_timeout(tmp_path: Path):
    env = {
        "DASHBOARD_TARGET": "prod",
        "DBT_BQ_PROJECT": "some-project",
        "DASHBOARD_BQ_ENDPOINT": f"http://127.0.0.1:{_free_port()}",
        "DASHBOARD_BQ_TIMEOUT": "2",
    }
    answer = _probe(env, tmp_path)
    assert "unreachable" in answer["what"], answer
    assert "reload" in answer["remedy"]


def test_a_page_depends_on_the_sources_of_its_marts_not_of_the_utilities():
    from dashboard.definitions import Definitions

    def model(name, parents):
        return {"name": name, "depends_on": {"nodes": parents}}

    models = {
        "model.p.fct_a": model("fct_a", ["model.p.stg_a"]),
        "model.p.stg_a": model("stg_a", ["source.p.raw.a"]),
        "model.p.util_source_loads": model(
            "util_source_loads", ["source.p.raw.a", "source.p.raw.b"]
        ),
    }
    definitions = Definitions(
        models=models,
        exposures={
            "exposure.p.page": {
                "url": "http://127.0.0.1:8501/page",
                "depends_on": {"nodes": ["model.p.fct_a", "model.p.util_source_loads"]},
            }
        },
        sources={
            "source.p.raw.a": {"schema": "raw", "name": "a"},
            "source.p.raw.b": {"schema": "raw", "name": "b"},
        },
        metrics={},
        available=True,
    )
    assert definitions.page_sources("page") == {("raw", "a")}
    assert definitions.page_sources("other") is None


def test_every_page_of_a_report_depends_on_the_sources_of_its_report():
    """A report's pages share its exposure, whose url is the report's first page."""
    from dashboard import pages
    from dashboard.definitions import Definitions

    definitions = Definitions(
        models={},
        exposures={
            "exposure.p.metering": {
                "url": "http://127.0.0.1:8501/metering",
                "depends_on": {"nodes": ["source.p.raw.a"]},
            },
            "exposure.p.revenue": {
                "url": "http://127.0.0.1:8501/metering_revenue",
                "depends_on": {"nodes": ["source.p.raw.b"]},
            },
        },
        sources={
            "source.p.raw.a": {"schema": "raw", "name": "a"},
            "source.p.raw.b": {"schema": "raw", "name": "b"},
        },
        metrics={},
        available=True,
    )
    assert definitions.page_sources("metering_drill_down") == {("raw", "a")}
    # a page with an exposure of its own uses it
    assert definitions.page_sources("metering_revenue") == {("raw", "b")}
    assert definitions.page_sources("portfolio_par") is None
    assert {p.report for p in pages.of_report("metering")} == {"metering"}
    assert len(pages.of_report("metering")) == 7
    assert pages.PAGES["data_quality"].report == "data_quality"


class _CountingConnection:
    """Stands in for a reader's DuckDB connection and counts the queries that reach it."""

    def __init__(self, con):
        self.con, self.calls = con, 0

    def execute(self, *args):
        self.calls += 1
        return self.con.execute(*args)

    def close(self):
        self.con.close()


def _sales(path: Path, north: int) -> None:
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.fct_sales as select * from (values ('N', {north})) t(r, n)")
    con.close()


def test_a_query_is_read_once_per_build_and_parameters(tmp_path: Path):
    path = tmp_path / "cached.duckdb"
    _sales(path, 2)
    sql = "select sum(n) as n from marts.fct_sales where r in @rs"
    first, second = DuckDBReader(path), DuckDBReader(path)
    try:
        first._con = _CountingConnection(first._con)
        second._con = _CountingConnection(second._con)
        assert first.query(sql, {"rs": ["N"]})["n"].tolist() == [2]
        # another session on the same file: answered from memory, a copy it may change freely
        again = second.query(sql, {"rs": ["N"]})
        assert again["n"].tolist() == [2] and second._con.calls == 0
        again.loc[0, "n"] = 99
        assert second.query(sql, {"rs": ["N"]})["n"].tolist() == [2]
        # other parameters are another query
        assert second.query(sql, {"rs": ["S"]})["n"].isna().all() and second._con.calls == 1
    finally:
        first.close()
        second.close()


def test_a_new_build_is_never_answered_from_the_old_one(tmp_path: Path):
    path = tmp_path / "cached.duckdb"
    sql = "select sum(n) as n from marts.fct_sales"
    _sales(path, 2)
    reader = DuckDBReader(path)
    try:
        assert reader.query(sql)["n"].tolist() == [2]
    finally:
        reader.close()
    _sales(path, 5)  # make build publishes a new file at the same path
    reader = DuckDBReader(path)
    try:
        assert reader.query(sql)["n"].tolist() == [5]
    finally:
        reader.close()
