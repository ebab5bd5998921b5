"""Each deliberately broken raw data set is caught by a named rule that names the offending rows.

Every fixture in tests/fixtures/broken/ is a SQL patch with a header:
    -- rule: <the generic test that must catch it>
    -- severity: error | warn
    -- select: <the dbt selection to build>
    -- key: <a query giving the key that the failure report must name>
    -- key_column: <the column of the rule's failing rows that holds the key>
The test copies the seeded CI warehouse, applies the patch to the raw tables, runs `dbt build`
on the selection, and checks the exit code (error: the build fails; warn: it passes with a
warning) and that `energy_dw.failures` names the key, in its key column, among the offending
rows of a failing test of that very rule. First, once, the same selections are built on the
clean copy: it must pass without naming any fixture's key, so a rule that fires on the seeds
anyway (or a key that is always named) cannot make a fixture pass.
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
            if key in {"rule", "severity", "select", "key", "key_column"}:
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


def _source_db() -> Path:
    source_db = warehouse_path()
    if not source_db.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{source_db} not built: run `make dbt-ci` first")
        pytest.skip(f"{source_db} not built: run `make dbt-ci` first")
    return source_db


def _build(workdir: Path, db: Path, select: list[str]) -> tuple[subprocess.CompletedProcess, str]:
    target = workdir / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(ROOT))
    dbt = Path(sys.executable).parent / "dbt"
    run = subprocess.run(
        [str(dbt), "build", "--target", "ci", "--target-path", str(target)]
        + ["--indirect-selection", "cautious", "--select", *select],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if not (target / "run_results.json").exists():
        pytest.fail(f"dbt did not run:\n{run.stdout[-3000:]}{run.stderr[-2000:]}")
    return run, failures.report(target, str(db), limit=50)


def _blocks(report: str) -> list[tuple[str, list[str]]]:
    """The report as (header line, offending rows) per failed or warning test."""
    blocks: list[tuple[str, list[str]]] = []
    for line in report.splitlines():
        if re.match(r"^(FAIL|WARN|ERROR): rule `", line):
            blocks.append((line, []))
        elif blocks and line.startswith("  offending row: "):
            blocks[-1][1].append(line[len("  offending row: ") :])
    return blocks


def _names_key(report: str, status: str | None, rule: str, column: str, key: object) -> bool:
    """A failing test of `rule` (with `status`, or any) lists `column=key` in one of its rows."""
    cell = re.compile(rf"(^|, ){re.escape(column)}={re.escape(str(key))}(,|$)")
    for header, rows in _blocks(report):
        if f"rule `{rule}`" not in header:
            continue
        if status and not header.startswith(f"{status}: "):
            continue
        if any(cell.search(row) for row in rows):
            return True
    return False


@pytest.fixture(scope="module")
def clean_build(workdir) -> tuple[int, str, dict[str, object]]:
    """Every fixture's selection built once on the unpatched copy: (exit code, report, keys)."""
    db = workdir / "broken.duckdb"
    shutil.copy(_source_db(), db)
    con = duckdb.connect(str(db))
    keys = {p.stem: con.execute(_header(p)["key"]).fetchone()[0] for p in FIXTURES}
    con.close()
    select = sorted({s for p in FIXTURES for s in _header(p)["select"].split()})
    run, report = _build(workdir, db, select)
    return run.returncode, report, keys


def test_every_fixture_names_its_key_column():
    for fixture in FIXTURES:
        assert _header(fixture).get("key_column"), f"{fixture.name}: no `-- key_column:` header"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_broken_fixture_is_caught_and_named(fixture, workdir, clean_build):
    spec = _header(fixture)
    clean_code, clean_report, clean_keys = clean_build
    assert clean_code == 0, f"the clean selection must build: {clean_report}"
    assert not _names_key(
        clean_report, None, spec["rule"], spec["key_column"], clean_keys[fixture.stem]
    ), f"{fixture.name}: the clean build already names the key: {clean_report}"
    db = workdir / "broken.duckdb"
    shutil.copy(_source_db(), db)
    con = duckdb.connect(str(db))
    key = con.execute(spec["key"]).fetchone()[0]
    assert key is not None, f"{fixture.name}: the key query found nothing in the seeds"
    con.execute(fixture.read_text())
    con.close()

    run, report = _build(workdir, db, spec["select"].split())
    context = f"{fixture.name}\n--- dbt ---\n{run.stdout[-3000:]}\n--- report ---\n{report}"
    status = "FAIL" if spec["severity"] == "error" else "WARN"
    if spec["severity"] == "error":
        assert run.returncode != 0, f"the build should have failed: {context}"
    else:
        assert run.returncode == 0, f"a warning must not fail the build: {context}"
    assert f"{status}: rule `{spec['rule']}`" in report, context
    # the key, in its own column, among the offending rows of a failing test of this very rule
    assert _names_key(report, status, spec["rule"], spec["key_column"], key), (
        f"{spec['key_column']}={key} not named by a {status} of `{spec['rule']}`: {context}"
    )
