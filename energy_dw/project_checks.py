"""Structure and documentation coverage of the dbt project, read from manifest.json/catalog.json.

Fails (exit 1) when a model or source lacks a description, a column is undocumented (every
column of the built relation, when catalog.json is there), a model has no primary-key (grain)
test, or a model breaks the naming and layer rules of CONVENTIONS.md:
- staging reads only sources; intermediate, marts and Python models read no source;
- layers flow one way: staging -> intermediate -> marts; no intermediate model reads a mart;
- materialisation: staging is a view, a mart a table (or incremental);
- personal data stays in the restricted schema: a model with a `pii` tag (or a column tagged
  `pii`) is built in `restricted`, a restricted model is tagged `pii`, no model outside
  `restricted` reads one, and a restricted model grants nothing to anyone;
- governance (docs/governance.md): every model is in a group and has `meta.owner`, the email of
  its group's owner; the marts are public (a restricted one never is), staging and intermediate
  never; every public model and every mart has an enforced contract or, where dbt cannot enforce
  one (a Python model), a documented `meta.contract_exception` and the `columns_match_yml`
  test; either way every column declares its `data_type`.

Usage: python -m energy_dw.project_checks [--target-path target]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

PROJECT = "energy_warehouse"

# layer folder -> (name pattern, what the pattern means)
NAMING = {
    "staging": (
        r"^stg_{system}__[a-z0-9_]+$",
        "stg_<system>__<entity>s in models/staging/<system>/",
    ),
    "intermediate": (r"^int_[a-z0-9_]+$", "int_<entity>s_<verb>ed"),
    "marts": (r"^(fct|dim)_[a-z0-9_]+$", "fct_<process> or dim_<entity>s"),
    "utilities": (r"^util_[a-z0-9_]+$", "util_<thing>"),
    "python_models": (r"^(fct|dim)_[a-z0-9_]+$", "fct_ or dim_ (Python marts)"),
}
GRAIN_TESTS = {"unique", "unique_combination_of_columns"}
# what stands in for an enforced contract on a model dbt cannot contract (a Python model)
CONTRACT_TEST = "columns_match_yml"
PUBLIC_LAYERS = {"marts", "python_models"}
NEVER_PUBLIC_LAYERS = {"staging", "intermediate"}
RESTRICTED = "restricted"
MATERIALIZED = {
    "staging": {"view"},
    "marts": {"table", "incremental"},
    "python_models": {"table", "incremental"},
}


def _layer(node: dict) -> tuple[str, list[str]]:
    parts = Path(node["original_file_path"]).parts
    if parts[0] == "python_models":
        return "python_models", list(parts[1:])
    return (parts[1] if len(parts) > 1 else ""), list(parts[2:])


def check(manifest: dict, catalog: dict | None) -> list[str]:
    problems: list[str] = []
    models = {
        uid: n
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] == "model" and n["package_name"] == PROJECT
    }
    tests_by_model: dict[str, set[str]] = {uid: set() for uid in models}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        name = (node.get("test_metadata") or {}).get("name")
        attached = node.get("attached_node") or next(
            iter(node.get("depends_on", {}).get("nodes", [])), None
        )
        if name and attached in tests_by_model:
            tests_by_model[attached].add(name)

    for uid, node in sorted(models.items()):
        name = node["name"]
        layer, rest = _layer(node)
        if not node.get("description", "").strip():
            problems.append(f"{name}: model has no description")
        for col, meta in node.get("columns", {}).items():
            if not meta.get("description", "").strip():
                problems.append(f"{name}.{col}: column has no description")
        if catalog is not None and uid in catalog.get("nodes", {}):
            built = {c.lower() for c in catalog["nodes"][uid]["columns"]}
            documented = {c.lower() for c in node.get("columns", {})}
            for col in sorted(built - documented):
                problems.append(f"{name}.{col}: column built but not documented")
        if not tests_by_model[uid] & GRAIN_TESTS:
            problems.append(
                f"{name}: no primary-key test (unique or unique_combination_of_columns)"
            )
        if layer not in NAMING:
            problems.append(f"{name}: not in a layer folder ({', '.join(NAMING)})")
            continue
        pattern, meaning = NAMING[layer]
        system = rest[0] if layer == "staging" and len(rest) > 1 else "[a-z_]+"
        if not re.match(pattern.format(system=re.escape(system)), name):
            problems.append(f"{name}: breaks the naming rule of {layer}: {meaning}")
        if layer == "staging":
            for dep in node["depends_on"]["nodes"]:
                if dep.startswith("model."):
                    problems.append(f"{name}: a staging model reads only sources, not {dep}")
        if layer in ("marts", "python_models", "intermediate"):
            for dep in node["depends_on"]["nodes"]:
                if dep.startswith("source."):
                    problems.append(f"{name}: reads a source directly ({dep}); go through staging")
        if layer == "intermediate":
            for dep in node["depends_on"]["nodes"]:
                dep_node = models.get(dep)
                if dep_node and _layer(dep_node)[0] in ("marts", "python_models"):
                    problems.append(f"{name}: an intermediate model reads a mart ({dep})")
        materialized = node.get("config", {}).get("materialized")
        allowed = MATERIALIZED.get(layer)
        if allowed and materialized and materialized not in allowed:
            problems.append(
                f"{name}: {layer} is materialized as {' or '.join(sorted(allowed))},"
                f" not {materialized}"
            )
        problems += _pii_problems(uid, node, models)
        problems += _governance_problems(node, layer, tests_by_model[uid], manifest)

    for _uid, src in sorted(manifest["sources"].items()):
        if src["package_name"] != PROJECT:
            continue
        label = f"source {src['source_name']}.{src['name']}"
        if not src.get("description", "").strip():
            problems.append(f"{label}: no description")
        for col, meta in src.get("columns", {}).items():
            if not meta.get("description", "").strip():
                problems.append(f"{label}.{col}: column has no description")
    return problems


def _schema(node: dict) -> str:
    return node.get("config", {}).get("schema") or node.get("schema") or ""


def _is_restricted(node: dict) -> bool:
    return _schema(node) == RESTRICTED or str(node.get("schema", "")).endswith(f"_{RESTRICTED}")


def _pii_problems(uid: str, node: dict, models: dict) -> list[str]:
    name = node["name"]
    problems = []
    tags = set(node.get("tags", [])) | set(node.get("config", {}).get("tags", []))
    pii_columns = [
        col
        for col, meta in node.get("columns", {}).items()
        if "pii" in set(meta.get("tags", [])) | set(meta.get("config", {}).get("tags", []))
    ]
    restricted = _is_restricted(node)
    if (pii_columns or "pii" in tags) and not restricted:
        what = f"columns {', '.join(pii_columns)}" if pii_columns else "the model"
        problems.append(f"{name}: {what} tagged pii outside the {RESTRICTED} schema")
    if restricted and "pii" not in tags:
        problems.append(f"{name}: built in {RESTRICTED} but not tagged pii")
    if restricted:
        grants = node.get("config", {}).get("grants") or {}
        granted = {role: who for role, who in grants.items() if who}
        if granted:
            problems.append(f"{name}: a {RESTRICTED} model grants access ({granted})")
    else:
        for dep in node["depends_on"]["nodes"]:
            if dep in models and _is_restricted(models[dep]):
                problems.append(f"{name}: reads the {RESTRICTED} model {dep}")
    return problems


def _governance_problems(node: dict, layer: str, tests: set[str], manifest: dict) -> list[str]:
    name = node["name"]
    config = node.get("config", {})
    problems = []
    group = node.get("group") or config.get("group")
    owner = (config.get("meta") or node.get("meta") or {}).get("owner")
    groups = {g["name"]: g for g in manifest.get("groups", {}).values()}
    if not group:
        problems.append(f"{name}: in no group (set +group for its folder in dbt_project.yml)")
    elif group not in groups:
        problems.append(f"{name}: group {group} is not defined (models/_groups.yml)")
    if not owner:
        problems.append(f"{name}: no meta.owner")
    elif group in groups and owner != (groups[group].get("owner") or {}).get("email"):
        problems.append(f"{name}: meta.owner {owner} is not the owner of its group {group}")
    access = node.get("access") or config.get("access") or "protected"
    if layer in PUBLIC_LAYERS and not _is_restricted(node) and access != "public":
        problems.append(f"{name}: a mart BI reads is public, not {access}")
    if access == "public" and (_is_restricted(node) or layer in NEVER_PUBLIC_LAYERS):
        what = f"the {RESTRICTED} model" if _is_restricted(node) else f"a {layer} model"
        problems.append(f"{name}: {what} must not be public")
    if access == "public" or layer in PUBLIC_LAYERS:
        enforced = (config.get("contract") or {}).get("enforced")
        exception = str((config.get("meta") or {}).get("contract_exception") or "").strip()
        if not enforced and not exception:
            problems.append(
                f"{name}: no enforced contract, nor a documented meta.contract_exception"
            )
        elif not enforced and CONTRACT_TEST not in tests:
            problems.append(f"{name}: a contract exception needs the {CONTRACT_TEST} test")
        untyped = [c for c, meta in node.get("columns", {}).items() if not meta.get("data_type")]
        if untyped:
            problems.append(f"{name}: columns without data_type: {', '.join(untyped)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", default="target")
    args = parser.parse_args(argv)
    target = Path(args.target_path)
    manifest = json.loads((target / "manifest.json").read_text())
    catalog_file = target / "catalog.json"
    catalog = json.loads(catalog_file.read_text()) if catalog_file.exists() else None
    problems = check(manifest, catalog)
    for problem in problems:
        print(problem)
    models = sum(
        1
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["package_name"] == PROJECT
    )
    print(f"project checks: {models} models, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
