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


def _configured(node, **config):
    node["config"] = config
    node["tags"] = config.get("tags", [])
    return node


def test_layer_rules_are_enforced():
    mart = "model.energy_warehouse.fct_things"
    inter = "model.energy_warehouse.int_things_joined"
    stg = "model.energy_warehouse.stg_nova__things"
    m = _manifest(
        {
            mart: _configured(
                _model("fct_things", "models/marts/x/fct_things.sql"), materialized="view"
            ),
            inter: _model("int_things_joined", "models/intermediate/x/i.sql", deps=[mart]),
            stg: _configured(
                _model("stg_nova__things", "models/staging/nova/stg_nova__things.sql"),
                materialized="table",
            ),
        },
        [_unique_test(mart), _unique_test(inter), _unique_test(stg)],
    )
    problems = "\n".join(check(m, None))
    assert "int_things_joined: an intermediate model reads a mart" in problems
    assert "fct_things: marts is materialized as incremental or table, not view" in problems
    assert "stg_nova__things: staging is materialized as view, not table" in problems


def test_personal_data_stays_in_the_restricted_schema():
    lookup = "model.energy_warehouse.dim_lookup"
    leaky = "model.energy_warehouse.dim_leaky"
    reader = "model.energy_warehouse.fct_reader"
    untagged = "model.energy_warehouse.dim_untagged"
    m = _manifest(
        {
            lookup: _configured(
                _model("dim_lookup", "models/marts/x/dim_lookup.sql"),
                schema="restricted",
                tags=["pii"],
                grants={"roles/bigquery.dataViewer": ["group:bi@example.com"]},
            ),
            leaky: _model(
                "dim_leaky",
                "models/marts/x/dim_leaky.sql",
                columns={"email": {"description": "e", "tags": ["pii"]}},
            ),
            reader: _model("fct_reader", "models/marts/x/fct_reader.sql", deps=[lookup]),
            untagged: _configured(
                _model("dim_untagged", "models/marts/x/dim_untagged.sql"), schema="restricted"
            ),
        },
        [_unique_test(u) for u in (lookup, leaky, reader, untagged)],
    )
    problems = "\n".join(check(m, None))
    assert "dim_leaky: columns email tagged pii outside the restricted schema" in problems
    assert "fct_reader: reads the restricted model model.energy_warehouse.dim_lookup" in problems
    assert "dim_lookup: a restricted model grants access" in problems
    assert "dim_untagged: built in restricted but not tagged pii" in problems
    # an empty grantee list (the override of the BI grant) is fine
    m["nodes"][lookup]["config"]["grants"] = {"roles/bigquery.dataViewer": []}
    assert not [p for p in check(m, None) if p.startswith("dim_lookup:")]
