"""The structure/documentation gate catches what it claims to catch."""

from __future__ import annotations

from energy_dw.project_checks import check


def _model(name, path, description="d", columns=None, deps=()):
    return {
        "resource_type": "model",
        "package_name": "energy_warehouse",
        "name": name,
        "original_file_path": path,
        "description": description,
        "columns": columns if columns is not None else {"id": {"description": "key"}},
        "depends_on": {"nodes": list(deps)},
    }


def _unique_test(model_uid):
    return {
        "resource_type": "test",
        "test_metadata": {"name": "unique"},
        "attached_node": model_uid,
        "depends_on": {"nodes": [model_uid]},
    }


def _manifest(models, tests=()):
    nodes = dict(models)
    nodes.update({f"test.t{i}": t for i, t in enumerate(tests)})
    return {"nodes": nodes, "sources": {}}


def test_a_clean_model_passes():
    uid = "model.energy_warehouse.fct_things"
    m = _manifest({uid: _model("fct_things", "models/marts/x/fct_things.sql")}, [_unique_test(uid)])
    assert check(m, None) == []


def test_each_breach_is_named():
    bad = "model.energy_warehouse.things"
    stg = "model.energy_warehouse.stg_nova__things"
    m = _manifest(
        {
            bad: _model("things", "models/marts/x/things.sql", description="", columns={"a": {}}),
            stg: _model("stg_nova__things", "models/staging/junifer/stg_nova__things.sql"),
        },
        [_unique_test(stg)],
    )
    problems = "\n".join(check(m, None))
    assert "things: model has no description" in problems
    assert "things.a: column has no description" in problems
    assert "things: no primary-key test" in problems
    assert "things: breaks the naming rule of marts" in problems
    assert "stg_nova__things: breaks the naming rule of staging" in problems


def test_undocumented_built_column_is_caught():
    uid = "model.energy_warehouse.dim_things"
    m = _manifest({uid: _model("dim_things", "models/marts/x/dim_things.sql")}, [_unique_test(uid)])
    catalog = {"nodes": {uid: {"columns": {"id": {}, "secret_extra": {}}}}}
    assert check(m, catalog) == ["dim_things.secret_extra: column built but not documented"]
