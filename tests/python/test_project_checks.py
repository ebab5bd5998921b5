"""The structure/documentation gate catches what it claims to catch."""

from __future__ import annotations

from energy_dw.project_checks import check

OWNER = "team@example.com"


def _model(name, path, description="d", columns=None, deps=()):
    """A model that meets the governance rules: in group g with its owner; a mart is public and
    under an enforced contract, with a data_type on every column."""
    mart = path.startswith(("models/marts/", "python_models/"))
    return {
        "resource_type": "model",
        "package_name": "energy_warehouse",
        "name": name,
        "original_file_path": path,
        "description": description,
        "columns": columns
        if columns is not None
        else {"id": {"description": "key", "data_type": "bigint"}},
        "depends_on": {"nodes": list(deps)},
        "group": "g",
        "access": "public" if mart else "protected",
        "config": {"meta": {"owner": OWNER}, "contract": {"enforced": mart}},
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
    groups = {"group.energy_warehouse.g": {"name": "g", "owner": {"email": OWNER}}}
    return {"nodes": nodes, "sources": {}, "groups": groups}


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
    node["config"] = {**node["config"], **config}
    node["tags"] = config.get("tags", [])
    node["access"] = config.get("access", node["access"])
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
                access="protected",
            ),
            leaky: _model(
                "dim_leaky",
                "models/marts/x/dim_leaky.sql",
                columns={"email": {"description": "e", "tags": ["pii"]}},
            ),
            reader: _model("fct_reader", "models/marts/x/fct_reader.sql", deps=[lookup]),
            untagged: _configured(
                _model("dim_untagged", "models/marts/x/dim_untagged.sql"),
                schema="restricted",
                access="protected",
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


def test_governance_rules_are_enforced():
    """Group and owner, access per layer, and a contract (or a documented exception with its
    test) on every public model: each breach is named."""
    uid = "model.energy_warehouse.{}".format
    nodes = {
        uid("fct_clean"): _model("fct_clean", "models/marts/x/fct_clean.sql"),
        uid("fct_no_contract"): _configured(
            _model("fct_no_contract", "models/marts/x/fct_no_contract.sql"),
            contract={"enforced": False},
        ),
        uid("fct_untyped"): _model(
            "fct_untyped", "models/marts/x/fct_untyped.sql", columns={"id": {"description": "k"}}
        ),
        uid("fct_protected"): _configured(
            _model("fct_protected", "models/marts/x/fct_protected.sql"), access="protected"
        ),
        uid("fct_python"): _configured(
            _model("fct_python", "python_models/x/fct_python.py"),
            contract={"enforced": False},
            meta={"owner": OWNER, "contract_exception": "a Python model"},
        ),
        uid("fct_python_untested"): _configured(
            _model("fct_python_untested", "python_models/x/fct_python_untested.py"),
            contract={"enforced": False},
            meta={"owner": OWNER, "contract_exception": "a Python model"},
        ),
        uid("stg_nova__public"): _configured(
            _model("stg_nova__public", "models/staging/nova/stg_nova__public.sql"),
            access="public",
        ),
        uid("fct_orphan"): _configured(
            _model("fct_orphan", "models/marts/x/fct_orphan.sql"), meta={}
        ),
        uid("fct_wrong_owner"): _configured(
            _model("fct_wrong_owner", "models/marts/x/fct_wrong_owner.sql"),
            meta={"owner": "someone@example.com"},
        ),
    }
    nodes[uid("fct_orphan")]["group"] = None
    tests = [_unique_test(u) for u in nodes]
    tests.append(
        {**_unique_test(uid("fct_python")), "test_metadata": {"name": "columns_match_yml"}}
    )
    problems = "\n".join(check(_manifest(nodes, tests), None))
    assert not [p for p in problems.splitlines() if p.startswith(("fct_clean:", "fct_python:"))]
    assert "fct_no_contract: no enforced contract, nor a documented meta.contract_exception" in (
        problems
    )
    assert "fct_untyped: columns without data_type: id" in problems
    assert "fct_protected: a mart BI reads is public, not protected" in problems
    assert "fct_python_untested: a contract exception needs the columns_match_yml test" in problems
    assert "stg_nova__public: a staging model must not be public" in problems
    assert "fct_orphan: in no group" in problems
    assert "fct_orphan: no meta.owner" in problems
    assert "fct_wrong_owner: meta.owner someone@example.com is not the owner of its group g" in (
        problems
    )
