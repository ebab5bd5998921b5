"""The daily refresh: what a scheduler runs every day (`make refresh`).

1. **Freshness gate**: `dbt source freshness`. A source past its `error_after` stops the
   refresh before anything is built (the stale sources are listed); `warn_after` only warns.
2. **Incremental build**: `dbt build` (models, seeds, data and unit tests in DAG order), never
   `--full-refresh`: the incremental models re-process the lookback window only
   (docs/incremental.md). On DuckDB it writes the working file (`$DBT_DUCKDB_PATH`, default
   target/warehouse.duckdb), never the file readers open.
3. **Validation**: the great-expectations suites (energy_dw.validation) over the marts the build
   made (every suite after a whole build; the built marts' suites after a `--select`).
4. **Publish** (DuckDB): the working file is swapped onto warehouse.duckdb atomically
   (energy_dw.publish). On BigQuery dbt has already replaced each table in place.

On a failure the refresh stops, prints the failure report (energy_dw.failures: every failed
test and its offending rows) and exits with the status of the step:

    0 done   3 sources stale (freshness gate)   4 build failed   5 validation failed
    6 publish failed   2 usage

`--retry` resumes a run that died: when the last build left its run results (a model or test
failed, or the run was stopped), `dbt retry` re-runs what errored or was skipped, and the refresh
goes on with validation and publish. When it left none (the process was killed before dbt wrote
them, e.g. SIGKILL or a lost worker) there is nothing for `dbt retry` to resume from, and the
build is run again: an incremental refresh over the same data is idempotent
(tests/python/test_incremental.py), so a rerun rebuilds exactly what the killed run would have.

Usage: python -m energy_dw.refresh [--target T] [--vars YAML] [--select ...] [--exclude ...]
                                   [--retry] [--published warehouse.duckdb] [--no-validate]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OK, USAGE, STALE, BUILD_FAILED, VALIDATION_FAILED, PUBLISH_FAILED = 0, 2, 3, 4, 5, 6
STATUS = {
    STALE: "sources stale (freshness gate)",
    BUILD_FAILED: "build failed",
    VALIDATION_FAILED: "validation failed",
    PUBLISH_FAILED: "publish failed",
}
STATE = "refresh_state.json"  # in the target path: the step a refresh reached


def log(message: str) -> None:
    print(f"refresh: {message}", flush=True)


def dbt_command() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def target_type(target: str, profiles_dir: Path) -> str:
    """The adapter type of `target` in profiles.yml (a literal in every output of this project)."""
    import yaml

    profiles = yaml.safe_load((profiles_dir / "profiles.yml").read_text())
    outputs = next(iter(profiles.values()))["outputs"]
    if target not in outputs:
        raise SystemExit(f"refresh: no target {target!r} in {profiles_dir / 'profiles.yml'}")
    return outputs[target]["type"]


def stale_sources(target_path: Path) -> list[str]:
    """The sources `dbt source freshness` found past error_after (or could not read)."""
    path = target_path / "sources.json"
    if not path.exists():
        return ["(no sources.json: dbt source freshness did not get to the sources)"]
    lines = []
    for result in json.loads(path.read_text())["results"]:
        if result["status"] in ("error", "runtime error"):
            name = result["unique_id"].split(".", 2)[-1]
            age = result.get("max_loaded_at_time_ago_in_s")
            detail = (
                f"latest load {result.get('max_loaded_at')}, {age / 86400:.1f} days before"
                f" {result.get('snapshotted_at')}"
                if age is not None
                else (result.get("error") or result.get("message") or result["status"])
            )
            lines.append(f"{name}: {result['status']}: {detail}")
    return lines


def built_marts(target_path: Path) -> list[str]:
    """The marts (models under models/marts or python_models) the last build made."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    manifest = json.loads((target_path / "manifest.json").read_text())["nodes"]
    marts = []
    for result in results:
        node = manifest.get(result["unique_id"], {})
        built = node.get("resource_type") == "model" and result["status"] == "success"
        if built and node.get("schema", "").endswith("marts"):
            marts.append(node["alias"])
    return sorted(marts)


class Refresh:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.target = args.target or os.environ.get("DBT_TARGET", "dev")
        self.profiles_dir = Path(os.environ.get("DBT_PROFILES_DIR", ROOT))
        self.target_path = Path(os.environ.get("DBT_TARGET_PATH", "target"))
        self.engine = target_type(self.target, self.profiles_dir)
        self.working = Path(os.environ.get("DBT_DUCKDB_PATH", "target/warehouse.duckdb"))

    def dbt(self, *command: str, select: bool = False) -> int:
        arguments = [dbt_command(), *command, "--target", self.target]
        arguments += ["--target-path", str(self.target_path)]
        if self.args.vars:
            arguments += ["--vars", self.args.vars]
        if select and self.args.select:
            # a test runs when all the models it reads are selected, not when one is
            arguments += ["--select", *self.args.select, "--indirect-selection", "cautious"]
        if select and self.args.exclude:
            arguments += ["--exclude", *self.args.exclude]
        log("$ " + " ".join(arguments))
        env = dict(os.environ)
        if self.engine == "duckdb":  # every target writes the one working file
            env["DBT_DUCKDB_PATH"] = str(self.working)
            self.working.parent.mkdir(parents=True, exist_ok=True)
        return subprocess.run(arguments, env=env, check=False).returncode

    def _state(self, step: str) -> None:
        self.target_path.mkdir(parents=True, exist_ok=True)
        (self.target_path / STATE).write_text(json.dumps({"step": step, "at": time.time()}))

    def _build_results_left(self) -> bool:
        """Whether the last build wrote its run results: the build step removes them first, so
        a run that died before dbt wrote them leaves none."""
        state_file, results = self.target_path / STATE, self.target_path / "run_results.json"
        if not (state_file.exists() and results.exists()):
            return False
        state = json.loads(state_file.read_text())
        args = json.loads(results.read_text()).get("args", {})
        return state["step"] == "build" and args.get("which") in ("build", "retry")

    def freshness(self) -> int:
        (self.target_path / "sources.json").unlink(missing_ok=True)
        if self.dbt("source", "freshness") == 0:
            return OK
        log("the freshness gate stopped the refresh; stale sources:")
        for line in stale_sources(self.target_path):
            print(f"  {line}")
        return STALE

    def build(self) -> int:
        if self.args.retry and self._build_results_left():
            log("resuming the last build with dbt retry")
            code = self.dbt("retry")
        else:
            if self.args.retry:
                log("the last build left no run results (killed): running the build again")
            (self.target_path / "run_results.json").unlink(missing_ok=True)
            self._state("build")
            code = self.dbt("build", select=True)
        if code == 0:
            self._state("built")
            return OK
        from energy_dw import failures

        log("the build failed; the failure report:")
        database = str(self.working) if self.engine == "duckdb" else ""
        if (self.target_path / "run_results.json").exists():
            print(failures.report(self.target_path, database, limit=10))
        return BUILD_FAILED

    def validate(self) -> int:
        if self.args.no_validate:
            log("validation skipped (--no-validate)")
            return OK
        command = [sys.executable, "-m", "energy_dw.validation", "--engine", self.engine]
        if self.engine == "duckdb":
            command += ["--database", str(self.working)]
        command += ["--docs-dir", str(self.target_path / "validation_docs")]
        if self.args.select:
            marts = built_marts(self.target_path)
            if not marts:
                log("validation: the selection built no mart")
                return OK
            for mart in marts:
                command += ["--suite", mart]
        log("$ " + " ".join(command))
        if subprocess.run(command, check=False).returncode != 0:
            log("validation failed (the suites' report is above)")
            return VALIDATION_FAILED
        return OK

    def publish(self) -> int:
        if self.engine != "duckdb":
            return OK
        from energy_dw import publish

        try:
            published = publish.publish(self.working, self.args.published)
        except publish.PublishError as exc:
            log(f"publish: {exc}")
            return PUBLISH_FAILED
        log(f"published {self.working} -> {published}")
        return OK

    def run(self) -> int:
        started = time.monotonic()
        steps = [("freshness", self.freshness), ("build", self.build)]
        steps += [("validation", self.validate), ("publish", self.publish)]
        if self.args.retry:
            steps = steps[1:]  # the gate passed before the run that died
        for name, step in steps:
            log(f"step {name}")
            code = step()
            if code != OK:
                log(f"FAILED at {name}: exit status {code} ({STATUS[code]})")
                return code
        log(f"done in {time.monotonic() - started:.0f} s")
        return OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", help="dbt target (default $DBT_TARGET, else dev)")
    parser.add_argument("--vars", default="", help="dbt --vars (YAML)")
    parser.add_argument("--select", nargs="+", help="build only these (dbt --select)")
    parser.add_argument("--exclude", nargs="+", help="leave these out (dbt --exclude)")
    parser.add_argument("--retry", action="store_true", help="resume the last build that died")
    parser.add_argument(
        "--published",
        type=Path,
        default=Path("warehouse.duckdb"),
        help="the file readers open (DuckDB; default warehouse.duckdb)",
    )
    parser.add_argument("--no-validate", action="store_true", help="skip the GX suites")
    args = parser.parse_args(argv)
    return Refresh(args).run()


if __name__ == "__main__":
    sys.exit(main())
