"""The cross-engine comparison's rules, and the emulator lifecycle helpers (no emulator needed)."""

from __future__ import annotations

import datetime as dt
import decimal
import subprocess
import sys

from energy_dw.bigquery import emulator
from energy_dw.bigquery.compare import compare_columns, compare_rows

UTC = dt.UTC


def test_same_rows_in_another_order_and_types_are_equal():
    bigquery = [
        (2, decimal.Decimal("1.10"), dt.datetime(2026, 1, 1, 12, tzinfo=UTC)),
        (1, decimal.Decimal("0.30"), None),
    ]
    duckdb = [(1, 0.1 + 0.2, None), (2, 1.1, dt.datetime(2026, 1, 1, 12))]
    assert compare_rows("m", ["id", "x", "at"], bigquery, duckdb).problems == []


def test_a_different_value_is_reported_with_its_column():
    result = compare_rows("m", ["id", "x"], [(1, 1.0), (2, 2.0)], [(1, 1.0), (2, 2.5)])
    assert result.problems[0] == "1 sorted row(s) differ"
    assert "x: bigquery=2.0 duckdb=2.5" in result.problems[1]


def test_a_missing_row_is_reported():
    result = compare_rows("m", ["id"], [(1,)], [(1,), (2,)])
    assert "1 rows on BigQuery, 2 on DuckDB" in result.problems


def test_columns_are_compared_by_name():
    assert compare_columns("m", ["a", "b"], ["a", "b"]) == []
    assert compare_columns("m", ["a", "c"], ["a", "b"]) == [
        "columns only on BigQuery: c",
        "columns only on DuckDB: b",
    ]


def test_every_limitation_is_documented(project_root):
    doc = (project_root / "docs" / "bigquery.md").read_text()
    for limitation in emulator.KNOWN_LIMITATIONS:
        assert limitation.exclude.split(":")[-1] in doc
    assert {lim.step for lim in emulator.KNOWN_LIMITATIONS} <= {"build", "incremental"}


def test_stop_ends_the_whole_process_group():
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, time; subprocess.Popen(['sleep', '60']); "
         "time.sleep(60)"],
        start_new_session=True,
    )  # fmt: skip
    emulator._stop(parent)
    assert parent.returncode is not None
    alive = subprocess.run(["pgrep", "-g", str(parent.pid)], capture_output=True)
    assert alive.returncode == 1, alive.stdout


def test_free_port_is_on_loopback():
    port = emulator.free_port()
    assert 1024 < port < 65536
