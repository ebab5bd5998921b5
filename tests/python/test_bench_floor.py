"""The benchmark's write floor copies every table the build wrote, and only those, once."""

from __future__ import annotations

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
