"""No mart carries personal data in clear text; the scan catches a planted PII column, by name and
by content."""

from __future__ import annotations

import json
import os
import shutil

import duckdb
import pytest
from conftest import ROOT, warehouse_path

from energy_dw import pii_scan


def _built():
    path = warehouse_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} not built: run `make dbt-ci` first")
        pytest.skip(f"{path} not built: run `make dbt-ci` first")
    return path


def _manifest():
    for target in (os.environ.get("DBT_TARGET_PATH"), ROOT / "target" / "ci"):
        if (
            target
            and (manifest := os.path.join(target, "manifest.json"))
            and os.path.exists(manifest)
        ):
            with open(manifest) as fh:
                return json.load(fh)
    return None


def test_no_mart_carries_pii():
    findings, exempt, scanned = pii_scan.scan(str(_built()), _manifest())
    assert scanned > 0
    assert findings == [], "\n".join(map(str, findings))


def test_restricted_lookups_are_exempt_only_when_restricted_and_tagged():
    manifest = {
        "nodes": {
            "model.p.dim_lookup": {
                "resource_type": "model",
                "name": "dim_lookup",
                "original_file_path": "models/marts/x/dim_lookup.sql",
                "schema": "restricted",
                "tags": ["pii"],
                "config": {},
            },
            "model.p.fct_py": {
                "resource_type": "model",
                "name": "fct_py",
                "original_file_path": "python_models/x/fct_py.py",
                "schema": "marts",
                "tags": [],
                "config": {},
            },
        }
    }
    con = duckdb.connect()
    relations, exempt = pii_scan.mart_relations(con, manifest)
    assert exempt == ["dim_lookup"]
    assert ("marts", "fct_py") in relations


PLANTED = {
    # column: (SQL of the planted value, what the scan must say)
    "email": ("'x'", "PII by name"),
    "customer_name": ("'x'", "PII by name"),
    "postcode": ("'x'", "PII by name"),
    "contact_1": ("'jane.doe@example.org'", "email in the values"),
    "contact_2": ("'+447700900123'", "phone in the values"),
    "contact_3": ("'LS1 4AP'", "UK postcode in the values"),
    "contact_4": ("'12 Oak Road'", "street address in the values"),
    "label_1": (
        "(select min(email) from restricted.stg_nova__customer_contacts)",
        "values of a restricted PII column",
    ),
    "label_2": (
        "(select min(customer_name) from restricted.stg_pulse__customer_contacts)",
        "values of a restricted PII column",
    ),
}


def test_a_planted_pii_column_is_caught(tmp_path):
    db = tmp_path / "planted.duckdb"
    shutil.copy(_built(), db)
    con = duckdb.connect(str(db))
    columns = ", ".join(f"{sql} as {name}" for name, (sql, _) in PLANTED.items())
    con.execute(
        f"create table marts.fct_planted as select account_id, {columns}"
        " from marts.dim_portfolio_accounts limit 5"
    )
    con.close()
    findings, _, _ = pii_scan.scan(str(db))
    planted = {(f.column, f.kind) for f in findings if f.relation == "marts.fct_planted"}
    for column, (_, expected) in PLANTED.items():
        assert (column, expected) in planted, (column, sorted(planted))
    assert not any(f.column == "account_id" for f in findings)
    assert pii_scan.main(["--database", str(db), "--target-path", str(tmp_path)]) == 1
