"""The failure report names the rule and the offending rows of a failed test."""

from __future__ import annotations

import json

import duckdb

from energy_dw import failures


def test_report_names_rule_model_and_rows(tmp_path):
    db = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema audit")
    con.execute(
        "create table audit.scd2_one_current_version_x as "
        "select 42 as scd2_key, 2 as current_versions"
    )
    con.close()
    uid = "test.energy_warehouse.scd2_one_current_version_x.abc"
    (tmp_path / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {
                        "unique_id": uid,
                        "status": "fail",
                        "message": "Got 1 result, configured to fail if != 0",
                        "failures": 1,
                        "relation_name": '"wh"."audit"."scd2_one_current_version_x"',
                    },
                    {"unique_id": "model.energy_warehouse.m", "status": "success"},
                ]
            }
        )
    )
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "nodes": {
                    uid: {
                        "name": "scd2_one_current_version_x",
                        "test_metadata": {"name": "scd2_one_current_version"},
                        "refs_names": [],
                        "sources": [["pulse", "contract"]],
                    }
                }
            }
        )
    )
    text = failures.report(tmp_path, str(db), limit=5)
    assert "rule `scd2_one_current_version`" in text
    assert "pulse.contract" in text
    assert "scd2_key=42" in text and "current_versions=2" in text


def test_report_says_so_when_nothing_failed(tmp_path):
    (tmp_path / "run_results.json").write_text(
        json.dumps({"results": [{"unique_id": "test.p.t", "status": "pass"}]})
    )
    assert "No failed or warning tests" in failures.report(tmp_path, "none.duckdb", limit=5)


def test_the_tested_model_is_named_from_dbt_refs():
    # dbt 1.11 manifests keep a test's refs as {"name", "package", "version"} dicts.
    node = {"refs": [{"name": "fct_opower_usage_feed", "package": None, "version": None}]}
    assert failures._ref_names(node) == ["fct_opower_usage_feed"]
    assert failures._ref_names({"refs": [["old_style_model"]]}) == ["old_style_model"]
    assert failures._ref_names({}) == []
