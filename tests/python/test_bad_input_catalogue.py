"""docs/bad_input_catalogue.md covers every class of bad input of issue 7, and every proof it names
exists; plus the proofs that are Python tests rather than broken fixtures."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, warehouse_path
from test_validation import TAMPERS

from energy_dw.validation.suites import SUITES

CATALOGUE = ROOT / "docs" / "bad_input_catalogue.md"
CLASSES = [
    "duplicate current SCD2 versions",
    "overlapping windows",
    "deleted keys",
    "orphan keys",
    "null keys",
    "unknown enum values",
    "negative or absurd consumption",
    "meter rollover",
    "read dates in the future",
    "duplicated events",
    "re-billed periods",
    "gaps and overlaps in bill periods",
    "timestamps around clock changes",
    "empty source tables",
    "a source column that disappears",
    # issue 14 (rate codes)
    "overlapping or missing tariff spells",
]


def catalogue() -> dict[str, dict[str, str]]:
    rows = {}
    for line in CATALOGUE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("class", "") or set(cells[0]) <= {"-"}:
            continue
        rows[cells[0]] = dict(zip(["class", "detected", "rows", "proof"], cells, strict=True))
    return rows


def _header(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("-- ") and ":" in line:
            key, _, value = line[3:].partition(":")
            out[key.strip()] = value.strip()
    return out


def test_every_class_has_an_entry_with_a_proof():
    rows = catalogue()
    assert sorted(rows) == sorted(CLASSES)
    for name, row in rows.items():
        assert re.findall(r"`(fixture|pytest|validation):[^`]+`", row["proof"]), name
        assert row["detected"] and row["rows"], name


def test_every_named_proof_exists():
    suites = {s.name: s for s in SUITES}
    for name, row in catalogue().items():
        for kind, ref in re.findall(r"`(fixture|pytest|validation):([^`]+)`", row["proof"]):
            if kind == "fixture":
                path = ROOT / "tests" / "fixtures" / "broken" / f"{ref}.sql"
                assert path.exists(), (name, ref)
                header = _header(path)
                assert {"rule", "severity", "select", "key"} <= set(header), (name, ref)
                # the rule the fixture proves is the rule the catalogue says detects the class
                assert f"`{header['rule']}`" in row["detected"], (name, ref, header["rule"])
                severity = "(warn)" if header["severity"] == "warn" else "(error)"
                assert severity in row["detected"], (name, ref, severity)
            elif kind == "pytest":
                file, _, func = ref.partition("::")
                tree = ast.parse((ROOT / file).read_text())
                names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
                assert func in names, (name, ref)
            else:
                suite, _, frame = ref.partition(".")
                assert suite in suites, (name, ref)
                labels = {f.label for f in suites[suite].frames} | {"columns"}
                assert frame in labels, (name, ref)


def test_every_validation_proof_has_a_tamper_case():
    """A `validation:<suite>.<frame>` proof is a proof only if a broken copy of the warehouse makes
    that frame fail: test_validation.py::test_each_catalogue_proof_fails_on_its_tampered_copy
    runs one tamper case per proof (TAMPERS); a proof added here without one fails."""
    proofs = {
        ref
        for row in catalogue().values()
        for kind, ref in re.findall(r"`(fixture|pytest|validation):([^`]+)`", row["proof"])
        if kind == "validation"
    }
    assert proofs, "the catalogue names validation proofs"
    tampered = {case.proof for case in TAMPERS.values()}
    assert proofs - tampered == set(), "validation proofs without a tamper case in TAMPERS"


def test_fixture_rules_are_declared_in_the_project():
    """A fixture's rule exists in the project as a generic test (macro or dbt built-in), so
    removing it from the yml makes the fixture's build pass and its test fail."""
    builtins = {"unique", "not_null", "accepted_values", "relationships"}
    macros = "\n".join(p.read_text() for p in (ROOT / "macros").rglob("*.sql"))
    for path in (ROOT / "tests" / "fixtures" / "broken").glob("*.sql"):
        rule = _header(path)["rule"]
        assert rule in builtins or f"test {rule}(" in macros, (path.name, rule)


def _built() -> Path:
    path = warehouse_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} not built: run `make dbt-ci` first")
        pytest.skip(f"{path} not built: run `make dbt-ci` first")
    return path


def test_rebilled_periods_count_once():
    """Each billed period is in fct_metering_bills once, with the bill worked out here in Python
    from staging: its latest ACCEPTED bill (latest created_at, then highest bill_id)."""
    con = duckdb.connect(str(_built()), read_only=True)
    bills = con.execute(
        "select bill_period_id, bill_id, created_at, bill_status from staging.stg_junifer__bills"
    ).fetchall()
    kept = dict(
        con.execute("select bill_period_id, bill_id from marts.fct_metering_bills").fetchall()
    )
    (fact_rows,) = con.execute("select count(*) from marts.fct_metering_bills").fetchone()
    con.close()
    latest_accepted: dict[int, tuple] = {}
    ever_accepted: dict[int, int] = {}
    for period, bill, created_at, status in bills:
        if status in ("ACCEPTED", "SUPERSEDED"):
            ever_accepted[period] = ever_accepted.get(period, 0) + 1
        if status == "ACCEPTED" and (
            period not in latest_accepted or (created_at, bill) > latest_accepted[period]
        ):
            latest_accepted[period] = (created_at, bill)
    rebilled = {p for p, n in ever_accepted.items() if n > 1}
    assert rebilled, "the seeds plant re-billed periods"
    assert fact_rows == len(kept), "a period appears more than once"
    expected = {period: bill for period, (_, bill) in latest_accepted.items()}
    assert kept == expected, {
        p: (kept.get(p), expected.get(p))
        for p in set(kept) | set(expected)
        if kept.get(p) != expected.get(p)
    }
    # without the protection (every bill that was ever accepted), re-billed periods count twice
    assert sum(ever_accepted.values()) > len(kept)


def test_clock_change_boundaries_are_not_gaps():
    con = duckdb.connect(str(_built()), read_only=True)
    at_one = con.execute(
        "select count(*) from staging.stg_junifer__bill_periods where hour(period_start_at) = 1"
    ).fetchone()[0]
    assert at_one > 0, "the seeds plant period boundaries at 01:00 after a clock change"
    (view,) = con.execute(
        "select table_name from information_schema.tables where table_schema = 'audit'"
        " and table_name like 'contiguous_periods_stg_junifer%'"
    ).fetchone()
    assert con.execute(f"select count(*) from audit.{view}").fetchone()[0] == 0
    # the feed counts whole days from the dates of the boundaries: a period starting at 01:00
    # lasts its full calendar days and is not flagged
    wrong, flagged, affected, naive = con.execute(
        "select count(*) filter (where f.duration <> date_diff('day',"
        " cast(p.period_start_at as date), cast(p.period_end_at as date))),"
        " count(*) filter (where f.is_gap_or_overlap), count(*),"
        # without the protection (elapsed hours / 24), the 01:00 boundary loses a day
        " count(*) filter (where floor(epoch(p.period_end_at - p.period_start_at) / 86400)"
        " <> f.duration)"
        " from marts.fct_opower_usage_feed as f"
        " join staging.stg_junifer__bill_periods as p using (bill_period_id)"
        " where hour(p.period_start_at) = 1 or hour(p.period_end_at) = 1"
    ).fetchone()
    assert affected > 0
    assert wrong == 0 and flagged == 0
    assert naive > 0
    con.close()


def test_a_source_column_that_disappears_stops_the_build(tmp_path):
    db = tmp_path / "dropped.duckdb"
    shutil.copy(_built(), db)
    con = duckdb.connect(str(db))
    con.execute("alter table soe_junifer_model.w_actual_meterreads drop column Read_Source")
    con.close()
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(ROOT))
    dbt = Path(sys.executable).parent / "dbt"
    run = subprocess.run(
        [str(dbt), "build", "--target", "ci", "--target-path", str(tmp_path / "target")]
        + ["--select", "stg_junifer__actual_meter_reads"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0, run.stdout[-3000:]
    assert re.search(r"Read_Source", run.stdout, re.IGNORECASE), run.stdout[-3000:]
