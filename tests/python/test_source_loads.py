"""util_source_loads lists every source table with a load time, and the column freshness reads.

The dashboards show, on every page, the latest load of the sources the page depends on; a source
added with a `loaded_at_field` but missing from the model would silently drop out of that header.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "utilities" / "util_source_loads.sql"
ENTRY = re.compile(r"\('(\w+)', '(\w+)', '(\w+)'\)")


def _load_time_column(expression: str) -> str:
    """The column of a load-time expression: `cast(col as timestamp)` gives `col`."""
    cast = re.fullmatch(r"cast\((\w+) as \w+\)", expression.strip(), flags=re.IGNORECASE)
    return cast.group(1) if cast else expression.strip()


def declared_load_times() -> set[tuple[str, str, str]]:
    found = set()
    for path in sorted((ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            default = (source.get("config") or {}).get("loaded_at_field")
            for table in source["tables"]:
                column = (table.get("config") or {}).get("loaded_at_field", default)
                if column:
                    found.add((source["name"], table["name"], _load_time_column(column)))
    return found


def listed_load_times() -> set[tuple[str, str, str]]:
    return set(ENTRY.findall(MODEL.read_text()))


def test_every_source_with_a_load_time_is_listed_with_its_freshness_column():
    declared = declared_load_times()
    assert len(declared) > 20, "the sources yml were not read"
    listed = listed_load_times()
    assert listed - declared == set(), "listed in util_source_loads but not declared in the sources"
    assert declared - listed == set(), "declared with a loaded_at_field but missing from the model"


def test_the_cast_of_a_load_time_expression_names_its_column():
    assert _load_time_column("cast(meta_report_period_end_date as timestamp)") == (
        "meta_report_period_end_date"
    )
    assert _load_time_column("meta_loaded_at") == "meta_loaded_at"
