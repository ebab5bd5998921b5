"""Shared pytest fixtures.

Tests that read the built warehouse use the DuckDB file `make dbt-ci` builds (target/ci/ci.duckdb,
or $DBT_DUCKDB_PATH). They are skipped with a clear reason when it has not been built, except in
CI (CI=true), where a missing warehouse is a failure.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def warehouse_path() -> Path:
    return Path(os.environ.get("DBT_DUCKDB_PATH", ROOT / "target" / "ci" / "ci.duckdb"))


def dbt_target_path() -> Path:
    """The dbt target path of the build the tests read (manifest, semantic manifest, run results).

    $DASHBOARD_DBT_TARGET_PATH or $DBT_TARGET_PATH when set (`make pytest`: target/ci); else the
    folder of the DuckDB file when it holds a manifest (target/ci/ci.duckdb), else a `target`
    folder beside it, else the project's target/.
    """
    for variable in ("DASHBOARD_DBT_TARGET_PATH", "DBT_TARGET_PATH"):
        if os.environ.get(variable):
            path = Path(os.environ[variable])
            return path if path.is_absolute() else ROOT / path
    folder = warehouse_path().parent
    for candidate in (folder, folder / "target", ROOT / "target"):
        if (candidate / "manifest.json").exists():
            return candidate
    return ROOT / "target"


def unavailable(reason: str):
    """Skip with the reason; in CI (CI=true) a missing prerequisite is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def mf_command() -> str:
    """The `mf` of this Python environment (beside the interpreter), else the one on PATH."""
    beside = Path(sys.executable).parent / "mf"
    return str(beside) if beside.exists() else (shutil.which("mf") or "mf")


class MetricFlow:
    """`mf query` on the built warehouse, from a scratch root of the project whose `target` is the
    build's dbt target path (`mf` reads only <project>/target/semantic_manifest.json).

    `explain` returns the SQL MetricFlow writes (run it on a read-only connection); `query` runs it
    with `mf` itself, on a copy of the warehouse (mf opens the file for writing, which a test's
    read-only connection to the original would block).
    """

    def __init__(self, scratch: Path):
        from energy_dw import scratch_project

        target = dbt_target_path()
        manifest = target / "semantic_manifest.json"
        if not Path(mf_command()).exists():
            unavailable("the mf command (dbt-metricflow) is not installed")
        if not manifest.exists():
            unavailable(f"{manifest} not found: run `make dbt-ci` first")
        if not warehouse_path().exists():
            unavailable(f"warehouse {warehouse_path()} not built: run `make dbt-ci` first")
        self.scratch = Path(scratch)
        self.project = scratch_project.create(self.scratch / "project", target)
        self.database: Path | None = None

    def _env(self, database: Path) -> dict[str, str]:
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_TARGET": "ci",
            "DBT_DUCKDB_PATH": str(database),
            "DBT_LOG_PATH": str(self.scratch / "logs"),
        }
        env.pop("DBT_TARGET_PATH", None)
        return env

    def _run(self, arguments: list[str], database: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [mf_command(), "query", *arguments],
            cwd=self.project,
            env=self._env(database),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def explain(self, metrics: list[str], group_by: list[str]) -> str:
        arguments = ["--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--explain"]
        result = self._run(arguments, warehouse_path())
        assert result.returncode == 0, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(("WITH", "SELECT")))
        return "\n".join(lines[start:])

    def query(self, *arguments: str) -> list[dict[str, str]]:
        if self.database is None:
            # same file name: same catalog name as the build the manifest describes
            self.database = self.scratch / "warehouse" / warehouse_path().name
            self.database.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(warehouse_path(), self.database)
        output = self.scratch / "result.csv"
        output.unlink(missing_ok=True)
        result = self._run([*arguments, "--csv", str(output)], self.database)
        assert output.exists(), result.stdout + result.stderr
        with output.open(newline="") as handle:
            return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture()
def warehouse():
    """A read-only DuckDB connection to the built warehouse, new for each test.

    Each test gets its own connection: duckdb 2 refuses a query on a connection that still holds
    an unconsumed result, so a shared connection would let one test break the next.
    """
    import duckdb

    path = warehouse_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"warehouse {path} not built: run `make dbt-ci` first")
        pytest.skip(f"warehouse {path} not built: run `make dbt-ci` first")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()
