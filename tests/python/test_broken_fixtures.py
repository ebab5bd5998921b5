"""Each deliberately broken raw data set is caught by a named rule that names the offending rows.

Every fixture in tests/fixtures/broken/ is a SQL patch with a header:
    -- rule: <the generic test that must catch it>
    -- severity: error | warn
    -- select: <the dbt selection to build>
    -- key: <a query giving the key that the failure report must name>
The test copies the seeded CI warehouse, applies the patch to the raw tables, runs `dbt build`
on the selection, and checks the exit code (error: the build fails; warn: it passes with a
warning) and that `energy_dw.failures` names the rule and the key.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, warehouse_path

from energy_dw import failures

FIXTURES = sorted((ROOT / "tests" / "fixtures" / "broken").glob("*.sql"))


def _header(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("-- ") and ":" in line:
            key, _, value = line[3:].partition(":")
            if key in {"rule", "severity", "select", "key"}:
                out[key] = value.strip()
    return out


def test_there_is_a_fixture_for_each_class_the_foundation_promises():
    names = {p.stem for p in FIXTURES}
    assert {
        "duplicate_current_version",
        "overlapping_windows",
        "orphan_foreign_key",
        "negative_consumption",
        "unknown_enum_value",
        "bill_period_gap",
    } <= names


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One folder for every fixture: the same database path and target path each time, so dbt's
    partial parsing reuses the first parse instead of parsing the project again per fixture."""
    return tmp_path_factory.mktemp("broken")


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_broken_fixture_is_caught_and_named(fixture, workdir):
    source_db = warehouse_path()
    if not source_db.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{source_db} not built: run `make dbt-ci` first")
        pytest.skip(f"{source_db} not built: run `make dbt-ci` first")
    spec = _header(fixture)
    db = workdir / "broken.duckdb"
    shutil.copy(source_db, db)
    con = duckdb.connect(str(db))
    key = con.execute(spec["key"]).fetchone()[0]
    assert key is not None, f"{fixture.name}: the key query found nothing in the seeds"
    con.execute(fixture.read_text())
    con.close()

    target = workdir / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(ROOT))
    dbt = Path(sys.executable).parent / "dbt"
    run = subprocess.run(
        [str(dbt), "build", "--target", "ci", "--target-path", str(target)]
        + ["--indirect-selection", "cautious", "--select"]
        + spec["select"].split(),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if not (target / "run_results.json").exists():
        pytest.fail(f"dbt did not run ({fixture.name}):\n{run.stdout[-3000:]}{run.stderr[-2000:]}")
    report = failures.report(target, str(db), limit=50)
    context = f"{fixture.name}\n--- dbt ---\n{run.stdout[-3000:]}\n--- report ---\n{report}"
    if spec["severity"] == "error":
        assert run.returncode != 0, f"the build should have failed: {context}"
        assert f"FAIL: rule `{spec['rule']}`" in report, context
    else:
        assert run.returncode == 0, f"a warning must not fail the build: {context}"
        assert f"WARN: rule `{spec['rule']}`" in report, context
    named = re.search(rf"offending row: .*={re.escape(str(key))}(,|$)", report, re.MULTILINE)
    assert named, f"key {key} not named in the offending rows: {context}"
