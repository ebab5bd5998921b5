"""Run every suite with great-expectations, write Data Docs, print a summary per suite.

Besides Data Docs (HTML that loads its styles and scripts from CDNs), the results are written as
one machine-readable file, `--results-json` (default `<docs-dir>/results.json`), which the
dashboards' data quality page reads offline: one entry per suite with its relation, counts and
the failed expectations with their details.

Exit status: 0 when every expectation passes, 1 when one fails (or a suite cannot be read: a
mart that is declared but not built, a query error).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import json
import logging
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from energy_dw.validation.checks import Suite, mart_frame
from energy_dw.validation.engines import BigQueryEngine, DuckDBEngine, Engine
from energy_dw.validation.suites import SUITES

NUMPY_REPR = re.compile(r"np\.[a-z0-9_]+\(([^()]*)\)")
RESULTS_FORMAT = 1


@dataclass
class SuiteResult:
    name: str
    expectations: int = 0
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    # what the frames counted out by name (printed on every run, passed or failed)
    notes: list[str] = field(default_factory=list)
    generic_only: bool = False
    # for the results file: the relation the suite checks, its description, one record per
    # failed expectation and per frame
    relation: str = ""
    description: str = ""
    failures: list[dict] = field(default_factory=list)
    frames: list[dict] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.failed and not self.errors

    def as_record(self) -> dict:
        return {
            "suite": self.name,
            "relation": self.relation,
            "description": self.description,
            "generic_only": self.generic_only,
            "success": self.success,
            "expectations": self.expectations,
            "passed": self.expectations - len(self.failed),
            "failed": len(self.failed),
            "errors": list(self.errors),
            "failures": list(self.failures),
            "details": list(self.details),
            "notes": list(self.notes),
            "frames": list(self.frames),
        }


def _context(docs_dir: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name="validation_docs",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def plan(engine: Engine, selected: list[str] | None = None) -> tuple[list[Suite], list[str]]:
    """The suites to run: every declared suite, plus a generic one for each built mart that has
    none. Returns (suites, names of the marts with only the generic suite)."""
    declared = {s.name for s in SUITES}
    built = set(engine.tables("marts"))
    suites = list(SUITES)
    generic = sorted(built - declared)
    suites += [Suite(name=name, description="generic checks only") for name in generic]
    if selected:
        suites = [s for s in suites if any(fnmatch.fnmatch(s.name, pat) for pat in selected)]
    return suites, generic


def _describe_failure(result) -> str:
    cfg = result.expectation_config
    kwargs = {k: v for k, v in cfg.kwargs.items() if k != "batch_id"}
    detail = result.result or {}
    sample = detail.get("partial_unexpected_list") or detail.get("observed_value")
    count = detail.get("unexpected_count")
    text = f"{cfg.type}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
    if count is not None:
        text += f": {count} unexpected"
    if sample is not None:
        shown = NUMPY_REPR.sub(r"\1", str(sample))  # np.float64(1.5) -> 1.5
        text += f", e.g. {shown[:200]}"
    return text


def _plain(value):
    """A JSON-safe copy of a result value (numpy scalars, dates, Decimals become plain types)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    return NUMPY_REPR.sub(r"\1", str(value))


def _failure_record(frame_label: str, result) -> dict:
    """One failed expectation, for the results file: what was expected and what was found."""
    cfg = result.expectation_config
    detail = result.result or {}
    sample = detail.get("partial_unexpected_list")
    return {
        "frame": frame_label,
        "expectation": cfg.type,
        "description": getattr(cfg, "description", None) or "",
        "kwargs": _plain({k: v for k, v in cfg.kwargs.items() if k != "batch_id"}),
        "unexpected_count": _plain(detail.get("unexpected_count")),
        "unexpected_percent": _plain(detail.get("unexpected_percent")),
        "observed_value": _plain(detail.get("observed_value")),
        "sample": _plain(sample[:20]) if sample else None,
        "text": _describe_failure(result),
    }


def _relation(suite: Suite) -> str:
    return f"{suite.layer}.{suite.name}" if suite.is_mart else suite.layer


def write_results_json(results: list[SuiteResult], path: Path, engine: Engine) -> None:
    """The results of a run as one JSON file (see the module docstring)."""
    document = {
        "format": RESULTS_FORMAT,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": engine.name,
        "success": all(r.success for r in results),
        "suites": [r.as_record() for r in results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, default=str) + "\n")
    tmp.replace(path)


def run(
    engine: Engine,
    docs_dir: Path,
    selected: list[str] | None = None,
    out=sys.stdout,
) -> list[SuiteResult]:
    import great_expectations as gx

    context = _context(docs_dir)
    datasource = context.data_sources.add_pandas("warehouse")
    suites, generic = plan(engine, selected)
    built = set(engine.tables("marts"))
    results: list[SuiteResult] = []
    for suite in suites:
        outcome = SuiteResult(
            suite.name,
            generic_only=suite.name in generic,
            relation=_relation(suite),
            description=suite.description,
        )
        results.append(outcome)
        if suite.is_mart and suite.name not in built:
            outcome.errors.append(f"mart {suite.name} is declared but not built in schema marts")
            continue
        try:
            frames = ([mart_frame(suite, engine)] if suite.is_mart else []) + suite.frames
        except Exception as exc:  # noqa: BLE001 - reported as a failed suite
            outcome.errors.append(f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}")
            continue
        for frame in frames:
            label = f"{suite.name}.{frame.label}"
            try:
                data = frame.build(engine)
            except Exception as exc:  # noqa: BLE001 - reported as a failed suite
                outcome.errors.append(f"{label}: {exc.__class__.__name__}: {str(exc)[:300]}")
                continue
            gx_suite = context.suites.add(
                gx.ExpectationSuite(
                    name=label,
                    expectations=[e.copy() for e in frame.expectations],
                    meta={"notes": frame.description or suite.description},
                )
            )
            asset = datasource.add_dataframe_asset(name=label)
            batch = asset.add_batch_definition_whole_dataframe("all_rows")
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=label, data=batch, suite=gx_suite)
            )
            validation = definition.run(
                batch_parameters={"dataframe": data}, result_format="SUMMARY"
            )
            frame_failed = 0
            notes = frame.notes(data) if frame.notes is not None else []
            outcome.notes += [f"{frame.label}: {line}" for line in notes]
            for res in validation.results:
                outcome.expectations += 1
                if not res.success:
                    frame_failed += 1
                    outcome.failed.append(f"{frame.label}: {_describe_failure(res)}")
                    outcome.failures.append(_failure_record(frame.label, res))
            outcome.frames.append(
                {
                    "frame": frame.label,
                    "description": frame.description or suite.description,
                    "rows": len(data),
                    "expectations": len(validation.results),
                    "failed": frame_failed,
                    "notes": notes,
                }
            )
            if not validation.success and frame.explain is not None:
                outcome.details += [f"{frame.label}: {line}" for line in frame.explain(data)]
    context.build_data_docs()
    _print_summary(results, engine, docs_dir, out)
    return results


def _print_summary(results: list[SuiteResult], engine: Engine, docs_dir: Path, out) -> None:
    width = max(len(r.name) for r in results) if results else 10
    print(f"great-expectations validation on {engine.name}", file=out)
    for r in results:
        status = "PASS" if r.success else ("ERROR" if r.errors else "FAIL")
        note = " (generic checks only: add a Suite in suites.py)" if r.generic_only else ""
        print(
            f"  {status:5} {r.name:<{width}}  {r.expectations - len(r.failed)}/{r.expectations}"
            f" expectations{note}",
            file=out,
        )
        for line in r.errors + r.failed + r.details:
            print(f"        - {line}", file=out)
        for line in r.notes:
            print(f"        note: {line}", file=out)
    failed = [r.name for r in results if not r.success]
    total = sum(r.expectations for r in results)
    print(
        f"{len(results)} suites, {total} expectations, {len(failed)} suite(s) failed;"
        f" Data Docs: {docs_dir / 'index.html'}",
        file=out,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m energy_dw.validation",
        description="great-expectations suites over the built marts",
    )
    parser.add_argument("--engine", choices=["duckdb", "bigquery"], default="duckdb")
    parser.add_argument(
        "--database",
        default=os.environ.get("DBT_DUCKDB_PATH", "warehouse.duckdb"),
        help="DuckDB file (default $DBT_DUCKDB_PATH, else warehouse.duckdb)",
    )
    parser.add_argument(
        "--docs-dir", default="target/validation_docs", help="where the Data Docs site is written"
    )
    parser.add_argument(
        "--results-json",
        help="where the machine-readable results are written (default <docs-dir>/results.json)",
    )
    parser.add_argument("--suite", action="append", help="run only these suites (glob; repeatable)")
    parser.add_argument("--list", action="store_true", help="list the suites and exit")
    args = parser.parse_args(argv)

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    if args.engine == "duckdb":
        if not Path(args.database).exists():
            print(f"no DuckDB warehouse at {args.database}: build it first", file=sys.stderr)
            return 2
        engine: Engine = DuckDBEngine(args.database)
    else:
        engine = BigQueryEngine()
    try:
        if args.list:
            suites, generic = plan(engine, args.suite)
            for s in suites:
                print(s.name + (" (generic)" if s.name in generic else ""))
            return 0
        docs_dir = Path(args.docs_dir)
        docs_dir.mkdir(parents=True, exist_ok=True)
        results = run(engine, docs_dir, args.suite)
        results_json = Path(args.results_json) if args.results_json else docs_dir / "results.json"
        write_results_json(results, results_json, engine)
        print(f"Results: {results_json}")
    finally:
        engine.close()
    return 0 if all(r.success for r in results) else 1
