"""The raw-table contract is stated once (energy_dw/contract.py) and everything agrees with it."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from energy_dw import contract, seed_properties


def _declared_sources(root: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    out = {}
    for path in sorted(root.glob("models/staging/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                cols = [(c["name"], c["data_type"]) for c in table["columns"]]
                out[(source["name"], table["name"])] = cols
    return out


def test_sources_declare_every_contract_table_with_its_columns_and_types(project_root):
    declared = _declared_sources(project_root)
    expected = {(ds, t): cols for ds, tabs in contract.tables().items() for t, cols in tabs.items()}
    assert sorted(declared) == sorted(expected)
    for key, cols in expected.items():
        assert declared[key] == cols, f"{key}: sources yml differs from the contract"


def test_every_source_column_is_described(project_root):
    for path in sorted(project_root.glob("models/staging/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            assert source.get("description"), source["name"]
            for table in source["tables"]:
                assert table.get("description"), (source["name"], table["name"])
                for col in table["columns"]:
                    assert col.get("description"), (source["name"], table["name"], col["name"])


def test_pii_columns_are_tagged_in_the_sources(project_root):
    tagged = set()
    for path in sorted(project_root.glob("models/staging/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                for col in table["columns"]:
                    if "pii" in (col.get("tags") or []):
                        tagged.add((source["name"], table["name"], col["name"]))
    assert tagged >= contract.PII_COLUMNS, contract.PII_COLUMNS - tagged


def test_scd2_sources_are_tested_for_integrity(project_root):
    for path in sorted(project_root.glob("models/staging/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                names = {next(iter(t)) for t in table.get("data_tests", []) if isinstance(t, dict)}
                if contract.is_scd2(source["name"], table["name"]):
                    assert {
                        "scd2_one_current_version",
                        "scd2_no_overlapping_windows",
                        "scd2_no_deleted_keys",
                    } <= names, (source["name"], table["name"])


def _source_tables(root: Path):
    for path in sorted(root.glob("models/staging/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                yield source["name"], table


def _test_names(tests) -> set[str]:
    return {t if isinstance(t, str) else next(iter(t)) for t in tests or []}


def test_every_contract_table_fails_the_build_when_empty(project_root):
    """Derived from the contract: a table added to contract.py without `not_empty` fails here."""
    declared = {
        (ds, t["name"]): _test_names(t.get("data_tests")) for ds, t in _source_tables(project_root)
    }
    missing = [
        (ds, t)
        for ds, tabs in contract.tables().items()
        for t in tabs
        if "not_empty" not in declared.get((ds, t), set())
    ]
    assert not missing, f"source tables without a not_empty test: {missing}"


def test_scd2_validity_columns_are_not_null(project_root):
    """A version with a NULL validity start or end is neither current nor closed: not_null."""
    missing = []
    for ds, table in _source_tables(project_root):
        if not contract.is_scd2(ds, table["name"]):
            continue
        tests = {c["name"]: _test_names(c.get("data_tests")) for c in table["columns"]}
        for column, _ in contract.SCD2_COLUMNS:
            if "not_null" not in tests.get(column, set()):
                missing.append((ds, table["name"], column))
    assert not missing, f"SCD2 validity columns without not_null: {missing}"


def test_seed_properties_are_in_sync_with_the_contract(project_root):
    assert seed_properties.render() == (project_root / "seeds" / "_seeds.yml").read_text(), (
        "seeds/_seeds.yml is stale: run python -m energy_dw.seed_properties"
    )


def test_committed_seed_files_have_the_contract_columns(project_root):
    for dataset, tabs in contract.tables().items():
        for table, cols in tabs.items():
            path = project_root / "seeds" / dataset / f"{dataset}__{table}.csv"
            assert path.exists(), f"missing seed {path}"
            with path.open(newline="") as fh:
                header = next(csv.reader(fh))
            assert header == [c for c, _ in cols], f"{path.name}: header differs from contract"


def test_committed_seeds_stay_small(project_root):
    total = sum(p.stat().st_size for p in (project_root / "seeds").rglob("*.csv"))
    assert total < 20 * 1024 * 1024, f"seeds are {total / 1e6:.1f} MB; the budget is 20 MB"
