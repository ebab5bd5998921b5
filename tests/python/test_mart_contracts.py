"""A public mart is an interface: renaming or retyping one of its columns fails the build with
dbt's contract error, before the table is replaced (docs/governance.md).

A copy of the project (its own models folder, its own DuckDB file and target path) builds one
small public mart, `dim_operations_technicians`, from its seeds: unmodified it passes; with a
column renamed, or retyped, in the SQL but not in the yml, `dbt run` fails with the contract
error naming the column, and the table built before is left as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

DBT = Path(sys.executable).parent / "dbt"
MART = "dim_operations_technicians"
MART_SQL = Path("models/marts/operations") / f"{MART}.sql"
CONTRACT_FAILED = "This model has an enforced contract that failed."
# read, never written: linked into the copy; `models` is copied, the tests edit a model in it
LINKED = ("macros", "python_models", "seeds", "analyses", "docs")
COPIED = ("dbt_project.yml", "profiles.yml", "models")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    """A copy of the project with the mart and its seeds built, and how to run dbt in it."""
    root = tmp_path_factory.mktemp("contracts")
    copy = root / "project"
    copy.mkdir()
    for name in LINKED:
        (copy / name).symlink_to(ROOT / name, target_is_directory=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        else:
            shutil.copy(source, copy / name)
    db = root / "contracts.duckdb"
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(copy))

    def dbt(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(DBT), *args, "--target", "ci"]
            + ["--target-path", str(root / "target"), "--log-path", str(root / "logs")],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
        )

    seeded = dbt("seed", "--select", "path:seeds/field_ops")
    assert seeded.returncode == 0, seeded.stdout[-4000:]
    built = dbt("run", "--select", f"+{MART}")
    assert built.returncode == 0, built.stdout[-4000:]
    return {"dbt": dbt, "sql": copy / MART_SQL, "db": db}


def _columns(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'marts' and table_name = ? order by ordinal_position",
            [MART],
        ).fetchall()


def _run_with(project: dict, old: str, new: str) -> subprocess.CompletedProcess:
    """`dbt run` of the mart with `old` replaced by `new` in its SQL; the SQL restored after."""
    original = project["sql"].read_text()
    assert original.count(old) == 1, f"{old!r} not found once in {MART_SQL}"
    project["sql"].write_text(original.replace(old, new))
    try:
        return project["dbt"]("run", "--select", MART)
    finally:
        project["sql"].write_text(original)


def test_the_unmodified_mart_passes_its_contract(project):
    run = project["dbt"]("run", "--select", MART)
    assert run.returncode == 0, run.stdout[-4000:]
    assert CONTRACT_FAILED not in run.stdout
    assert _columns(project["db"]) == [("technician_id", "BIGINT"), ("region", "VARCHAR")]


def test_renaming_a_column_fails_with_the_contract_error(project):
    run = _run_with(project, "        region\n", "        region as technician_region\n")
    assert run.returncode != 0, f"the renamed column passed:\n{run.stdout[-4000:]}"
    assert CONTRACT_FAILED in run.stdout, run.stdout[-4000:]
    lines = run.stdout.splitlines()
    assert any("technician_region" in line and "missing in contract" in line for line in lines)
    assert any("| region " in line and "missing in definition" in line for line in lines)
    assert _columns(project["db"]) == [("technician_id", "BIGINT"), ("region", "VARCHAR")]


def test_retyping_a_column_fails_with_the_contract_error(project):
    run = _run_with(
        project,
        "        technician_id,\n",
        "        cast(technician_id as {{ dbt.type_string() }}) as technician_id,\n",
    )
    assert run.returncode != 0, f"the retyped column passed:\n{run.stdout[-4000:]}"
    assert CONTRACT_FAILED in run.stdout, run.stdout[-4000:]
    assert any(
        "technician_id" in line and "data type mismatch" in line for line in run.stdout.splitlines()
    ), run.stdout[-4000:]
    assert _columns(project["db"]) == [("technician_id", "BIGINT"), ("region", "VARCHAR")]
