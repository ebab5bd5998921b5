"""Shared pytest fixtures.

Tests that read the built warehouse use the DuckDB file `make dbt-ci` builds (target/ci/ci.duckdb,
or $DBT_DUCKDB_PATH). They are skipped with a clear reason when it has not been built, except in
CI (CI=true), where a missing warehouse is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def warehouse_path() -> Path:
    return Path(os.environ.get("DBT_DUCKDB_PATH", ROOT / "target" / "ci" / "ci.duckdb"))


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
