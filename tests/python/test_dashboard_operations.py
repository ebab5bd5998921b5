"""The operations page (000) shows, for each of 000's 17 queries, exactly what its dbt analysis
(analyses/operations_000_NN_*.sql, proved equal to 000 by test_parity_000.py) returns on the same
warehouse: the same rows, in 000's order.

The expected answers are the analyses compiled by dbt (into a target path of this test) and run on
the warehouse, never the page's own query functions. A moved window end is checked against the
same analyses with the as-of date set to that day and the marts cut after it; the cards against
independent SQL on the marts (`expected_cards`, also imported by the browser test).
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import ROOT, dbt_target_path, warehouse_path
from streamlit.testing.v1 import AppTest
from test_parity_000 import order_positions, original_sql

from dashboard import pages
from dashboard.components import format_number, format_pct

APP = ROOT / "dashboard" / "app.py"
REPORT = "operations"
# page (url) -> the cards it shows: every card of expected_cards on exactly one page
PAGE_CARDS = {
    "operations": ["Smart meter bookings", "Installs, 30 days"],
    "operations_meter_reading": ["Meter reads, 30 days"],
    "operations_billing": ["Bills, 30 days"],
    "operations_digital": ["Journey success, 30 days"],
}
ANALYSES = ROOT / "analyses"
QUERY_IDS = [f"{n:02d}" for n in range(1, 18)]
TITLE = re.compile(r'^-- 000, "([^"]+)"', re.MULTILINE)
# the 30-day (or 7-day) queries, with the date column of the mart their window filters
WINDOWED = {"02": 30, "06": 30, "07": 30, "09": 30, "10": 7, "11": 30, "12": 30}
WINDOWED |= {"15": 30, "16": 7, "17": 30}
MART_DATES = {
    "fct_operations_bookings_daily": "booking_date",
    "fct_operations_booking_outcomes_daily": "outcome_date",
    "fct_operations_meter_readings_daily": "received_date",
    "fct_operations_meter_reads_daily": "read_date",
    "fct_operations_bills_daily": "bill_created_date",
    "fct_operations_digital_journeys_daily": "created_date",
}
GROUPS = [
    "Smart Metering Performance",
    "Meter Reading Operations",
    "Billing Operations",
    "Digital Journey Performance",
]


def built() -> Path:
    path = warehouse_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"warehouse {path} not built: run `make dbt-ci` first")
        pytest.skip(f"warehouse {path} not built: run `make dbt-ci` first")
    return path


# --- the expected answers: the analyses, compiled by dbt ---------------------------------------


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, str]:
    """Each analysis compiled by `dbt compile` against an empty DuckDB file named like the
    warehouse (the compiled SQL names the database by the file's stem)."""
    path = built()
    work = tmp_path_factory.mktemp("operations_compile")
    target = work / "target"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_DUCKDB_PATH": str(work / path.name),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    env.pop("DBT_TARGET_PATH", None)
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "compile", "--target", "ci", "--target-path", str(target)]
        + ["--select", "path:analyses", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    folder = target / "compiled" / "energy_warehouse" / "analyses"
    return {p.name.split("_")[2]: p.read_text() for p in folder.glob("operations_000_*.sql")}


def titles() -> dict[str, str]:
    out = {}
    for path in sorted(ANALYSES.glob("operations_000_*.sql")):
        out[path.name.split("_")[2]] = TITLE.search(path.read_text()).group(1)
    return out


def run_sql(con, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


def at_window_end(sql: str, end: dt.date) -> str:
    """An analysis as it would answer on `end`: the as-of date is `end`, the marts end on it."""
    sql = re.sub(
        r'\(select as_of_date from ("[^"]+"\.)?"utilities"\."util_as_of_date"\)',
        f"date '{end}'",
        sql,
    )
    assert f"date '{end}'" in sql, "the analysis no longer reads util_as_of_date"
    for mart, column in MART_DATES.items():
        sql = re.sub(
            rf'(("[^"]+"\.)?"marts"\."{mart}")',
            rf"(select * from \1 where {column} <= date '{end}')",
            sql,
        )
    return sql


# --- comparison ----------------------------------------------------------------------------------


def plain(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, decimal.Decimal | float | int) and not isinstance(value, bool):
        return round(float(value), 6)
    if hasattr(value, "item"):  # numpy scalar
        return plain(value.item())
    return value


def rows_of(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(plain(v) for v in row) for row in frame.itertuples(index=False)]


def same_answer(expected: list[tuple], shown: list[tuple], order: list[int]) -> list[str]:
    """Differences (empty: equal): the same rows, in the same order on 000's sort columns (rows
    tied on them may come in any order, as in BigQuery)."""
    expected = [tuple(plain(v) for v in row) for row in expected]
    problems = []
    if sorted(expected, key=repr) != sorted(shown, key=repr):
        missing = [r for r in expected if r not in shown][:5]
        extra = [r for r in shown if r not in expected][:5]
        problems.append(f"rows differ: missing {missing}, unexpected {extra}")
    elif [tuple(r[i] for i in order) for r in expected] != [
        tuple(r[i] for i in order) for r in shown
    ]:
        problems.append(f"order on columns {order} differs")
    return problems


# --- the page --------------------------------------------------------------------------------


def open_page(monkeypatch, database: Path, page: str = REPORT, **widgets) -> AppTest:
    """A page of the report (its first by default), after setting widgets by key."""
    monkeypatch.setenv("DASHBOARD_TARGET", "dev")
    monkeypatch.setenv("DASHBOARD_DUCKDB_PATH", str(database))
    monkeypatch.setenv("DASHBOARD_DBT_TARGET_PATH", str(dbt_target_path()))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()  # the home page: st.navigation registers the pages' url paths
    switch(at, page)
    if widgets:
        if "window_end" in widgets:
            at.date_input(key="operations_window_end").set_value(widgets["window_end"])
        if "channels" in widgets:
            at.multiselect(key="operations_channels").set_value(widgets["channels"])
        at.run()
    assert not at.exception, at.exception
    return at


def switch(at: AppTest, page: str) -> AppTest:
    """Go to another page of the app, as the navigation does (the filters stay)."""
    return at.switch_page(pages.PAGES[page].file).run()


def tables(at: AppTest) -> list[pd.DataFrame]:
    """The answers' tables of the page shown, in order (the header's source loads left out)."""
    return [d.value for d in at.dataframe if "load time column" not in d.value.columns]


def visit(at: AppTest) -> dict[str, list]:
    """Each page of the report in turn: what they show, in the navigation's order."""
    seen: dict[str, list] = {
        "tables": [],
        "subheader": [],
        "header": [],
        "markdown": [],
        "caption": [],
        "cards": [],
    }
    for page in PAGE_CARDS:
        switch(at, page)
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        seen["tables"] += tables(at)
        for kind in ("subheader", "header", "markdown", "caption"):
            seen[kind] += [element.value for element in getattr(at, kind)]
        shown = {m.label: m.value for m in at.metric}
        assert list(shown) == PAGE_CARDS[page], page
        seen["cards"] += list(shown.items())
    return seen


def answers(at: AppTest) -> dict[str, pd.DataFrame]:
    """The 17 tables of the report's pages, in order."""
    shown = visit(at)["tables"]
    assert len(shown) == 17, [list(t.columns) for t in shown]
    return dict(zip(QUERY_IDS, shown, strict=True))


@pytest.fixture(scope="module")
def as_of() -> dt.date:
    con = duckdb.connect(str(built()), read_only=True)
    try:
        return con.execute("select as_of_date from utilities.util_as_of_date").fetchone()[0]
    finally:
        con.close()


@pytest.fixture()
def con():
    connection = duckdb.connect(str(built()), read_only=True)
    yield connection
    connection.close()


@pytest.fixture()
def default_page(monkeypatch) -> AppTest:
    return open_page(monkeypatch, built())


def test_each_answer_equals_its_analysis(default_page, compiled, con):
    shown = answers(default_page)
    assert set(compiled) == set(QUERY_IDS)
    for query_id in QUERY_IDS:
        columns, expected = run_sql(con, compiled[query_id])
        table = shown[query_id]
        assert list(table.columns) == columns, query_id
        assert expected, f"analysis {query_id} has no rows on this warehouse: the test is vacuous"
        order = order_positions(original_sql(query_id))
        assert same_answer(expected, rows_of(table), order) == [], query_id


def test_titles_groups_definitions_and_cards(default_page, con):
    seen = visit(default_page)
    headings = seen["subheader"]
    assert headings == list(titles().values())
    assert seen["header"] == GROUPS
    text = "\n".join(seen["markdown"])
    # the definitions come from the yml, through dbt's manifest
    assert "Smart meter bookings (current versions) per booking day" in text
    assert "**Bookings**: Number of bookings." in text
    assert "Attempts with `Success_status = 'Success'`." in text
    shown = dict(seen["cards"])
    assert len(shown) == len(seen["cards"]), "card labels are unique over the pages"
    assert shown == expected_cards(con)


def test_the_success_rate_is_recomputed_not_averaged(default_page, con):
    """Journey KPIs overview: the rate of each KPI and channel is its successes over its attempts
    in the window, checked here against the mart's rows directly."""
    as_of_date = con.execute("select as_of_date from utilities.util_as_of_date").fetchone()[0]
    start = as_of_date - dt.timedelta(days=29)
    table = answers(default_page)["15"]
    for row in table.itertuples(index=False):
        attempts, successes = con.execute(
            "select sum(attempts), sum(successes) from marts.fct_operations_digital_journeys_daily"
            " where created_date >= ? and kpi_name = ? and channel = ?",
            [start, row.kpi_name, row.channel],
        ).fetchone()
        assert (row.events, row.successes) == (attempts, successes)
        assert row.success_rate == pytest.approx(round(successes * 100.0 / attempts, 2))


def test_a_moved_window_end_changes_the_answers_as_the_marts_say(monkeypatch, compiled, con, as_of):
    end = as_of - dt.timedelta(days=10)
    at = open_page(monkeypatch, built(), window_end=end)  # set on the first page: kept on all
    seen = visit(at)
    shown = dict(zip(QUERY_IDS, seen["tables"], strict=True))
    default = {q: run_sql(con, compiled[q])[1] for q in QUERY_IDS}
    changed = []
    for query_id in QUERY_IDS:
        sql = at_window_end(compiled[query_id], end) if query_id in WINDOWED else compiled[query_id]
        _, expected = run_sql(con, sql)
        order = order_positions(original_sql(query_id))
        assert same_answer(expected, rows_of(shown[query_id]), order) == [], query_id
        if query_id in WINDOWED and same_answer(default[query_id], rows_of(shown[query_id]), []):
            changed.append(query_id)
    # ten days earlier, most windowed answers differ; the current (unwindowed) ones never do
    assert len(changed) >= 5, changed
    captions = "\n".join(seen["caption"])
    assert f"Last 30 days: {end - dt.timedelta(days=29)} to {end}." in captions
    assert f"Last 7 days: {end - dt.timedelta(days=6)} to {end}." in captions
    assert dict(seen["cards"]) == expected_cards(con, window_end=end)


def test_a_channel_filter_keeps_that_channel_of_the_journeys(monkeypatch, compiled, con):
    at = open_page(monkeypatch, built(), "operations_digital", channels=["App"])
    table = tables(at)[0]  # the journeys' page: 15, 16, 17
    columns, everything = run_sql(con, compiled["15"])
    expected = [row for row in everything if row[columns.index("channel")] == "App"]
    assert expected and same_answer(expected, rows_of(table), [0, 1]) == []
    shown = {m.label: m.value for m in at.metric}
    assert shown == {
        label: text
        for label, text in expected_cards(con, channels=["App"]).items()
        if label in PAGE_CARDS["operations_digital"]
    }
    # kept while the reader looks at another page of the report
    switch(switch(at, REPORT), "operations_digital")
    assert at.multiselect(key="operations_channels").value == ["App"]


def test_an_empty_mart_gives_one_clear_message(monkeypatch, tmp_path):
    database = tmp_path / "empty_mart.duckdb"
    shutil.copy(built(), database)
    writable = duckdb.connect(str(database))
    writable.execute("delete from marts.fct_operations_bills_daily")
    writable.close()
    at = open_page(monkeypatch, database)
    assert len(at.error) == 1
    assert "marts.fct_operations_bills_daily is empty" in at.error[0].value
    assert "make build" in at.info[0].value
    assert not at.metric and not at.subheader


def test_no_warehouse_gives_one_clear_message(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path / "never_built.duckdb")
    assert [e.value for e in at.error] == [
        f"No warehouse has been built yet: {tmp_path / 'never_built.duckdb'} does not exist."
    ]
    assert "make build" in at.info[0].value
    assert not at.metric and not at.dataframe


# --- for the browser test --------------------------------------------------------------------


def expected_cards(
    con,
    window_end: dt.date | None = None,
    channels: list[str] | None = None,
    kpis: list[str] | None = None,
) -> dict[str, str]:
    """The cards of the operations page (label -> text shown), computed straight on the marts.

    `window_end` defaults to the as-of date (the window is then open-ended, as in 000); channels
    and KPIs default to all.
    """
    as_of_date = con.execute("select as_of_date from utilities.util_as_of_date").fetchone()[0]
    end = window_end or as_of_date
    start = end - dt.timedelta(days=29)
    before = dt.date(9999, 12, 31) if end >= as_of_date else end + dt.timedelta(days=1)

    def scalar(sql: str, *params) -> float:
        value = con.execute(sql, list(params)).fetchone()[0]
        return 0 if value is None else value

    bookings = scalar("select sum(bookings) from marts.fct_operations_bookings_daily")
    installs = scalar(
        "select sum(bookings) from marts.fct_operations_booking_outcomes_daily"
        " where outcome = 'installed' and outcome_date >= ? and outcome_date < ?",
        start,
        before,
    )
    reads = scalar(
        "select sum(reads) from marts.fct_operations_meter_reads_daily"
        " where read_date >= ? and read_date < ?",
        start,
        before,
    )
    bills = scalar(
        "select sum(bills) from marts.fct_operations_bills_daily"
        " where bill_status = 'ACCEPTED' and bill_created_date >= ? and bill_created_date < ?",
        start,
        before,
    )
    journey_filter, params = "", [start, before]
    if channels is not None:
        journey_filter += f" and channel in ({', '.join('?' for _ in channels)})"
        params += list(channels)
    if kpis is not None:
        journey_filter += f" and kpi_name in ({', '.join('?' for _ in kpis)})"
        params += list(kpis)
    successes, attempts = con.execute(
        "select sum(successes), sum(attempts) from marts.fct_operations_digital_journeys_daily"
        " where created_date >= ? and created_date < ?" + journey_filter,
        params,
    ).fetchone()
    rate = None if not attempts else float(successes) / float(attempts)
    return {
        "Smart meter bookings": format_number(bookings),
        "Installs, 30 days": format_number(installs),
        "Meter reads, 30 days": format_number(reads),
        "Bills, 30 days": format_number(bills),
        "Journey success, 30 days": format_pct(rate, 2),
    }
