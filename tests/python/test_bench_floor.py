"""The benchmark's write floor copies every table the build wrote, and only those, once; its
per-model medians and the table of them across scales."""

from __future__ import annotations

import json

import duckdb
import pytest

from energy_dw import bench


def _node(schema: str, alias: str, materialized: str, kind: str = "model") -> dict:
    return {
        "resource_type": kind,
        "schema": schema,
        "alias": alias,
        "config": {"materialized": materialized},
    }


MANIFEST = {
    "nodes": {
        "a": _node("marts", "fct_big", "incremental"),
        "b": _node("intermediate", "int_small", "table"),
        "c": _node("staging", "stg_view", "view"),
        "d": _node("intermediate", "int_cte", "ephemeral"),
        "e": _node("reference", "a_seed", "seed", kind="seed"),
    }
}


def test_built_tables_are_the_table_and_incremental_models():
    assert bench.built_tables(MANIFEST) == [("intermediate", "int_small"), ("marts", "fct_big")]


def test_write_floor_copies_each_built_table_once(tmp_path):
    built = tmp_path / "built.duckdb"
    con = duckdb.connect(str(built))
    con.execute("create schema marts; create schema intermediate; create schema staging")
    con.execute("create table marts.fct_big as select range as id from range(100000)")
    con.execute("create table intermediate.int_small as select 1 as id")
    con.execute("create view staging.stg_view as select 1 as id")
    con.close()
    floor = bench.write_floor(built, MANIFEST, tmp_path / "floor.duckdb")
    assert (floor.tables, floor.rows) == (2, 100001)
    assert floor.seconds > 0 and floor.bytes > 0
    assert not list(tmp_path.glob("floor.duckdb*"))  # the copy is removed afterwards
    # a table the manifest names but the build did not write is an error, not a silent zero
    missing = {"nodes": {**MANIFEST["nodes"], "f": _node("marts", "fct_missing", "table")}}
    with pytest.raises(duckdb.CatalogException):
        bench.write_floor(built, missing, tmp_path / "floor.duckdb")


def test_model_medians_and_table_across_scales(tmp_path):
    runs = [
        bench.Measure(10.0, 0, model_seconds={"marts.fct_a": 4.0, "marts.fct_b": 1.0}),
        bench.Measure(12.0, 0, model_seconds={"marts.fct_a": 6.0, "marts.fct_b": 3.0}),
        bench.Measure(11.0, 0, model_seconds={"marts.fct_a": 5.0}),
    ]
    daily = [bench.Measure(2.0, 0, model_seconds={"marts.fct_a": 1.0})]
    medians = bench.model_medians(runs, daily)
    assert medians == {
        "marts.fct_a": {"full": 5.0, "refresh": 1.0},
        "marts.fct_b": {"full": 2.0, "refresh": None},
    }
    (tmp_path / "scale_0.1").mkdir()
    (tmp_path / "scale_0.1" / "model_seconds.json").write_text(
        json.dumps({"marts.fct_a": {"full": 0.5, "refresh": 0.2}})
    )
    (tmp_path / "scale_1").mkdir()
    (tmp_path / "scale_1" / "model_seconds.json").write_text(json.dumps(medians))
    table = bench.model_table(tmp_path, top=1).splitlines()
    assert table[0] == (
        "| model | 0.1 full | 0.1 refresh | 1 full | 1 refresh | growth 0.1 to 1 "
        "| refresh / full at 1 |"
    )
    # only the slowest model of the largest scale, its growth 5.0 / 0.5 and refresh share 1 / 5
    assert table[2:] == ["| `fct_a` | 0.5 | 0.2 | 5.0 | 1.0 | 10x | 20% |"]
