"""Labels and KPI definitions for the pages, read from dbt's artifacts: defined once, in the yml.

The model and column descriptions come from `manifest.json`, the metric labels and descriptions
from `semantic_manifest.json`, both in the dbt target path that built the warehouse
(`DASHBOARD_DBT_TARGET_PATH`, default `target/`). When they are missing the pages still show
their figures, with a note that the definitions need `make build`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "energy_warehouse"


def target_path() -> Path:
    path = Path(os.environ.get("DASHBOARD_DBT_TARGET_PATH", "target"))
    return path if path.is_absolute() else ROOT / path


@dataclass(frozen=True)
class Definitions:
    models: dict[str, dict]
    exposures: dict[str, dict]
    sources: dict[str, dict]
    metrics: dict[str, dict]
    available: bool

    def model(self, name: str) -> str:
        node = self.models.get(name)
        return node["description"].strip() if node else ""

    def column(self, model: str, column: str) -> str:
        node = self.models.get(model)
        if not node:
            return ""
        return node["columns"].get(column, {}).get("description", "").strip()

    def metric(self, name: str) -> str:
        metric = self.metrics.get(name)
        return metric.get("description", "").strip() if metric else ""

    def metric_label(self, name: str) -> str:
        metric = self.metrics.get(name)
        return (metric.get("label") or name) if metric else name

    def page_sources(self, page: str) -> set[tuple[str, str]] | None:
        """(dataset, table) of every raw source upstream of the marts the page's exposure reads.

        A page of a report ('metering_revenue') falls back to the exposure of its report, whose
        url is the report's first page ('/metering'). None when neither has an exposure in the
        manifest (the header then lists every source).
        """
        from dashboard.pages import PAGES  # the pages' registry, without Streamlit

        entry = PAGES.get(page)
        candidates = [page] + ([entry.report] if entry and entry.report != page else [])
        exposure = next(
            (
                e
                for url in candidates
                for e in self.exposures.values()
                if (e.get("url") or "").rstrip("/").endswith(f"/{url}")
            ),
            None,
        )
        if exposure is None:
            return None
        found: set[tuple[str, str]] = set()
        seen: set[str] = set()
        todo = list(exposure["depends_on"]["nodes"])
        while todo:
            unique_id = todo.pop()
            if unique_id in seen:
                continue
            seen.add(unique_id)
            if unique_id in self.sources:
                source = self.sources[unique_id]
                found.add((source["schema"], source["name"]))
            elif unique_id in self.models and not self.models[unique_id]["name"].startswith(
                "util_"
            ):
                # Utilities (the as-of date, the source loads the header itself reads) read every
                # source: walking through them would make every page depend on everything.
                todo.extend(self.models[unique_id]["depends_on"]["nodes"])
        return found


@lru_cache(maxsize=4)
def _load(path: Path, manifest_mtime: float, semantic_mtime: float) -> Definitions:
    manifest = json.loads((path / "manifest.json").read_text()) if manifest_mtime else {}
    semantic = json.loads((path / "semantic_manifest.json").read_text()) if semantic_mtime else {}
    models = {}
    for unique_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") == "model":
            models[node["name"]] = node
            models[unique_id] = node
    return Definitions(
        models=models,
        exposures=manifest.get("exposures", {}),
        sources=manifest.get("sources", {}),
        metrics={m["name"]: m for m in semantic.get("metrics", [])},
        available=bool(manifest_mtime),
    )


def load() -> Definitions:
    path = target_path()

    def mtime(name: str) -> float:
        file = path / name
        return file.stat().st_mtime if file.exists() else 0.0

    return _load(path, mtime("manifest.json"), mtime("semantic_manifest.json"))
