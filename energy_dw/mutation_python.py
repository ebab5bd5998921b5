"""Mutation testing of the Python code: the dbt Python models and the Opower export, with mutmut
(docs/mutation/python.md; the SQL models have energy_dw.mutation).

mutmut 3 mutates every function of the files in FILES (operators, comparisons, numbers, strings,
keyword arguments, ...: every mutant, no sample, so a run is the same on the same code) and, per
mutant, runs only the pytest tests that call the mutated function, in a process forked from one
that has already imported pandas and collected the tests. The tests are plain Python (no dbt
build, no warehouse): the cohort models' logic is plain pandas functions that `model()` only wires
to `dbt.ref()`, and the export is tested on a small DuckDB file that its tests write.

mutmut works on a copy (`mutants/` under its working folder) and reads its settings from that
folder's pyproject.toml, so the runner lays out a scratch root under --work: the energy_dw package,
python_models/, the tests of TESTS, and a pyproject.toml with the [tool.mutmut] section. Nothing in
the checkout is changed. The root is made anew on every run: mutmut's cache keeps a function's
results while its code is unchanged, even when its tests changed.

Usage: python -m energy_dw.mutation_python [--work DIR] [--max-children N] [FILE ...]
Report: <work>/report.md (score per file, the diff of every survivor) and <work>/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import chdir
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the mutated files and the tests that exercise them (the only tests mutmut runs)
COHORT_TESTS = "tests/python/test_portfolio_cohorts.py"
FILES = {
    "python_models/portfolio/fct_portfolio_default_cohorts.py": COHORT_TESTS,
    "python_models/portfolio/fct_portfolio_churn_cohorts.py": COHORT_TESTS,
    "energy_dw/opower_export.py": "tests/python/test_opower_export.py",
}
# mutmut's exit codes (mutmut.stats.status_by_exit_code): a timeout (SIGXCPU) counts as killed
KILLED = {1: "killed", 3: "killed", -24: "timeout", 24: "timeout", 152: "timeout", 36: "timeout"}
SURVIVED = {0: "survived", 5: "no tests", 33: "no tests"}


def module_of(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def pyproject(files: list[str]) -> str:
    tests = sorted({FILES[f] for f in files})
    return (
        "[tool.pytest.ini_options]\n"
        'addopts = "-p energy_dw.pytest_skips -p no:cacheprovider"\n\n'
        "[tool.mutmut]\n"
        'source_paths = ["energy_dw", "python_models"]\n'
        f"only_mutate = {json.dumps(files)}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        "use_git_change_detection = false\n"
    )


def make_root(root: Path, files: list[str]) -> None:
    """A fresh scratch root: the package, the Python models, the tests, mutmut's settings."""
    if root.exists():
        shutil.rmtree(root)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "energy_dw", root / "energy_dw", ignore=ignore)
    shutil.copytree(ROOT / "python_models", root / "python_models", ignore=ignore)
    (root / "tests" / "python").mkdir(parents=True)
    for test in ["tests/python/conftest.py", *sorted({FILES[f] for f in files})]:
        shutil.copyfile(ROOT / test, root / test)
    (root / "pyproject.toml").write_text(pyproject(files))


def environment() -> dict[str, str]:
    """Plain-Python tests only: no built warehouse (its tests skip), no CI strictness."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for variable in ("DBT_DUCKDB_PATH", "DBT_TARGET_PATH", "CI", "ENERGY_DW_STRICT_SKIPS"):
        env.pop(variable, None)
    env.pop("PYTHONPATH", None)
    return env


def run_mutmut(root: Path, max_children: int, names: list[str]) -> int:
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *names]
    with open(root / "mutmut.log", "wb") as log:
        done = subprocess.run(command, cwd=root, env=environment(), stdout=log, stderr=log)
    return done.returncode


def collect(root: Path, files: list[str]) -> list[dict]:
    """Every mutant of the run: file, name, status, seconds, and the diff of a survivor."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    results = []
    for path in files:
        meta = root / "mutants" / f"{path}.meta"
        if not meta.exists():
            continue
        data = json.loads(meta.read_text())
        with chdir(root):
            for name, code in data["exit_code_by_key"].items():
                if code is None:  # not run (--mutant)
                    continue
                status = KILLED.get(code) or SURVIVED.get(code) or f"exit {code}"
                row = {
                    "file": path,
                    "mutant": name,
                    "status": status,
                    "killed": code in KILLED,
                    "seconds": round(data.get("durations_by_key", {}).get(name, 0.0), 2),
                }
                if not row["killed"]:
                    row["diff"] = get_diff_for_mutant(name, path=path)
                results.append(row)
    return results


def report(run: dict) -> str:
    results, files, seconds, load = run["mutants"], run["files"], run["seconds"], run["load"]
    lines = [
        "# Mutation testing of the Python code (mutmut)",
        "",
        f"Wall time {seconds:.0f} s for {len(results)} mutants "
        f"({seconds / max(len(results), 1):.2f} s per mutant), load average at the end {load}.",
        "",
        "| file | mutants | killed | timeout | survived | no tests | score |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for path in [*files, None]:
        rows = [r for r in results if path is None or r["file"] == path]
        count = {
            s: sum(r["status"] == s for r in rows) for s in {*KILLED.values(), *SURVIVED.values()}
        }
        killed = sum(r["killed"] for r in rows)
        name = f"`{path}`" if path else "**all**"
        lines.append(
            f"| {name} | {len(rows)} | {count['killed']} | {count['timeout']} | "
            f"{count['survived']} | {count['no tests']} | {100 * killed / max(len(rows), 1):.1f}% |"
        )
    lines += ["", "## Survivors", ""]
    for r in results:
        if not r["killed"]:
            lines += [f"### {r['mutant']} ({r['status']})", "", "```diff", r["diff"], "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help=f"files to mutate (default: {', '.join(FILES)})")
    parser.add_argument("--work", type=Path, default=ROOT / "target" / "mutation" / "python")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--mutant", nargs="*", default=[], help="only these mutant names (globs)")
    parser.add_argument(
        "--report-only", action="store_true", help="write report.md again from results.json"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        run = json.loads((args.work / "results.json").read_text())
        (args.work / "report.md").write_text(report(run))
        return 0
    files = args.files or list(FILES)
    unknown = [f for f in files if f not in FILES]
    if unknown:
        parser.error(f"not a mutated file: {unknown} (one of {list(FILES)})")

    root = args.work.resolve() / "root"
    make_root(root, files)
    started = time.monotonic()
    code = run_mutmut(root, args.max_children, args.mutant)
    seconds = time.monotonic() - started
    if code != 0:
        print(f"mutmut failed ({code}): see {root / 'mutmut.log'}", file=sys.stderr)
        return code
    results = collect(root, files)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    run = {"files": files, "seconds": round(seconds, 1), "load": load, "mutants": results}
    (args.work / "results.json").write_text(json.dumps(run, indent=1))
    (args.work / "report.md").write_text(report(run))
    killed = sum(r["killed"] for r in results)
    print(f"{killed}/{len(results)} killed in {seconds:.0f} s (load {load})")
    print(f"report: {args.work / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
