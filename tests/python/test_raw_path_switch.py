"""The documented switch builds the project from another raw data set instead of the seeds.

The generator writes a small world as `<dataset>.<table>.parquet` (and `.csv`); dbt runs the
staging layer from it with `--vars '{raw_path: ...}'` into an empty DuckDB file, and every raw
row that is current arrives in staging.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

DBT = Path(sys.executable).parent / "dbt"


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_build_from_a_folder_of_raw_files(fmt, tmp_path):
    data = tmp_path / "raw"
    subprocess.run(
        [sys.executable, "-m", "energy_dw.generator", "--scale", "0.0001", "--format", fmt]
        + ["--out", str(data)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    db = tmp_path / "wh.duckdb"
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(ROOT))
    run = subprocess.run(
        [str(DBT), "run", "--target", "ci", "--target-path", str(tmp_path / "target")]
        + ["--vars", f"{{raw_path: '{data}'}}"]
        + ["--select", "path:models/staging", "path:models/utilities"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-4000:]
    assert "sources attached as views" in run.stdout
    con = duckdb.connect(str(db), read_only=True)
    raw = f"read_{fmt}('{data}/soe_junifer_model.w_actual_meterreads.{fmt}')"
    (raw_rows,) = con.execute(f"select count(*) from {raw}").fetchone()
    (staged,) = con.execute(
        "select count(*) from staging.stg_junifer__actual_meter_reads"
    ).fetchone()
    assert raw_rows > 0 and staged == raw_rows
    current = (
        f"read_{fmt}('{data}/junifer_enriched.bill.{fmt}') "
        "where meta_effective_to_timestamp = timestamp '9999-01-01'"
    )
    (current_bills,) = con.execute(f"select count(*) from {current}").fetchone()
    (staged_bills,) = con.execute("select count(*) from staging.stg_junifer__bills").fetchone()
    assert staged_bills == current_bills > 0
    # No raw seed was loaded: the dataset schemas hold views over the files only.
    kinds = con.execute(
        "select distinct table_type from information_schema.tables "
        "where table_schema = 'junifer_enriched'"
    ).fetchall()
    assert kinds == [("VIEW",)]


def test_a_missing_file_stops_the_run_naming_it(tmp_path):
    data = tmp_path / "raw"
    data.mkdir()
    env = dict(os.environ, DBT_DUCKDB_PATH=str(tmp_path / "wh.duckdb"), DBT_PROFILES_DIR=str(ROOT))
    run = subprocess.run(
        [str(DBT), "run", "--target", "ci", "--target-path", str(tmp_path / "target")]
        + ["--vars", f"{{raw_path: '{data}'}}", "--select", "stg_pulse__products"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0
    assert "raw_path: no file" in run.stdout
