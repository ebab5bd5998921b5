"""The Airflow example (orchestration/airflow/energy_dw_daily.py), loaded and run by Airflow.

Airflow lives in its own virtualenv (.venv-airflow, from orchestration/airflow/requirements.txt:
apache-airflow 2.10.5 as pip resolved it on Python 3.11), created once and reused, as the
BigQuery emulator's is. The check:

1. loads the DAG file in Airflow's `DagBag`: no import error, the DAG `energy_dw_daily` with the
   tasks `refresh` >> `docs`, and `refresh` runs `make refresh`;
2. runs the DAG (`dag.test()`, every task in this process, Airflow's metadata in a SQLite file
   under the work folder) against DuckDB: a scratch root of the project seeded from the CSV seeds,
   the Airflow Variables set through AIRFLOW_VAR_* (target `ci`, this virtualenv's Python
   environment), and `make refresh` limited to one mart and what it reads (REFRESH_SELECT) with
   the freshness gate's "now" the day after the seeds' last load (REFRESH_VARS);
3. checks that both task instances succeeded, that the refresh published the scratch root's
   warehouse.duckdb with the mart in it, and that the docs task wrote catalog.json.

Usage: python -m energy_dw.airflow_check install            # only create .venv-airflow
       python -m energy_dw.airflow_check check [--work DIR] [--select MODEL]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW_VENV = ROOT / ".venv-airflow"
REQUIREMENTS = ROOT / "orchestration" / "airflow" / "requirements.txt"
DAG_FILE = ROOT / "orchestration" / "airflow" / "energy_dw_daily.py"
SELECT = "+fct_operations_bills_daily"
# the seeds' loads end on 2026-10-31: the gate's "now" is the next morning
FRESHNESS_AT = "2026-11-01 06:00:00"

# Runs in .venv-airflow (Airflow and the standard library only).
IN_AIRFLOW = r"""
import json, sys
from airflow.models import DagBag
from airflow.utils.state import State

bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": list(bag.dags)}
dag = bag.dags.get("energy_dw_daily")
if dag is not None:
    out["tasks"] = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    out["commands"] = {t.task_id: getattr(t, "bash_command", "") for t in dag.tasks}
    if sys.argv[2] == "run":
        for task in dag.tasks:  # a failure fails the check now, not after a 15-minute retry delay
            task.retries = 0
        run = dag.test()
        out["run_state"] = str(run.state)
        out["task_states"] = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
print("AIRFLOW-CHECK " + json.dumps(out))
"""


def log(message: str) -> None:
    print(f"airflow-check: {message}", flush=True)


def ensure_venv(venv: Path, requirements: Path) -> Path:
    """Create `venv` from the pinned `requirements` once; reuse it while the stamp inside it
    holds the requirements' digest (the same stamp as the BigQuery emulator's virtualenvs)."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    python, stamp = venv / "bin" / "python", venv / ".installed"
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    log(f"installing {venv.name} from {requirements.relative_to(ROOT)} (once)")
    if not python.exists():
        subprocess.run(
            [shutil.which("python3.11") or sys.executable, "-m", "venv", str(venv)], check=True
        )
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(requirements)], check=True)
    stamp.write_text(digest)
    return python


def _airflow_env(home: Path, project: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "AIRFLOW"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(DAG_FILE.parent),
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(home / "logs"),
        AIRFLOW_VAR_ENERGY_DW_PROJECT_DIR=str(project),
        AIRFLOW_VAR_ENERGY_DW_VENV=sys.prefix,
        AIRFLOW_VAR_ENERGY_DW_TARGET="ci",
        AIRFLOW_VAR_ENERGY_DW_TARGET_PATH=str(project / "target"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        **extra,
    )
    return env


def _in_airflow(python: Path, env: dict[str, str], mode: str) -> dict:
    run = subprocess.run(
        [str(python), "-c", IN_AIRFLOW, str(DAG_FILE), mode],
        env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    lines = [line for line in run.stdout.splitlines() if line.startswith("AIRFLOW-CHECK ")]
    if run.returncode != 0 or not lines:
        raise SystemExit(
            f"airflow-check: Airflow failed\n{run.stdout[-6000:]}\n{run.stderr[-6000:]}"
        )
    return json.loads(lines[-1].split(" ", 1)[1]) | {"output": run.stdout + run.stderr}


def check_bag(result: dict) -> list[str]:
    """What is wrong with the loaded DagBag (empty: nothing)."""
    problems = [f"import error in {f}: {e}" for f, e in result["import_errors"].items()]
    if "energy_dw_daily" not in result["dags"]:
        return problems + [f"no DAG energy_dw_daily in {result['dags']}"]
    if result["tasks"] != {"refresh": ["docs"], "docs": []}:
        problems.append(f"tasks and dependencies: {result['tasks']}, not refresh >> docs")
    if " refresh" not in result["commands"].get("refresh", "") or "make " not in result[
        "commands"
    ].get("refresh", ""):
        problems.append(f"the refresh task does not run make refresh: {result['commands']}")
    return problems


def check(work: Path, select: str) -> int:
    from energy_dw import scratch_project

    started = time.monotonic()
    python = ensure_venv(AIRFLOW_VENV, REQUIREMENTS)
    log(f"{AIRFLOW_VENV.name} ready in {time.monotonic() - started:.0f} s")
    work = work.absolute()
    home, project = work / "airflow_home", work / "project"
    home.mkdir(parents=True, exist_ok=True)
    project = scratch_project.create(project)
    env = _airflow_env(
        home,
        project,
        {"REFRESH_SELECT": select, "REFRESH_VARS": json.dumps({"freshness_at": FRESHNESS_AT})},
    )

    bag = _in_airflow(python, env, "load")
    problems = check_bag(bag)
    if problems:
        print("\n".join(problems))
        return 1
    log(f"DagBag: no import error, tasks {bag['tasks']}")

    t0 = time.monotonic()
    migrate = [str(python.parent / "airflow"), "db", "migrate"]
    subprocess.run(migrate, env=env, check=True, capture_output=True, timeout=600)
    log(f"metadata database migrated in {time.monotonic() - t0:.0f} s")
    t0 = time.monotonic()
    dbt = Path(sys.executable).parent / "dbt"
    seed_env = {**env, "DBT_DUCKDB_PATH": str(project / "target" / "warehouse.duckdb")}
    subprocess.run(
        [str(dbt), "seed", "--target", "ci", "--target-path", str(project / "target"), "--quiet"],
        cwd=project, env={**seed_env, "DBT_PROFILES_DIR": str(project)}, check=True,
    )  # fmt: skip
    log(f"seeds loaded in {time.monotonic() - t0:.0f} s")
    t0 = time.monotonic()
    result = _in_airflow(python, env, "run")
    log(f"dag.test() in {time.monotonic() - t0:.0f} s: {result.get('task_states')}")
    problems = []
    if result.get("run_state") != "success" or set(result["task_states"].values()) != {"success"}:
        problems.append(f"the DAG run did not succeed: {result.get('task_states')}")
    published = project / "warehouse.duckdb"
    mart = select.lstrip("+").split()[0]
    if not published.exists():
        problems.append(f"make refresh published no {published}")
    else:
        import duckdb

        con = duckdb.connect(str(published), read_only=True)
        (rows,) = con.execute(f"select count(*) from marts.{mart}").fetchone()
        con.close()
        if rows == 0:
            problems.append(f"marts.{mart} is empty in the published warehouse")
    if not (project / "target" / "catalog.json").exists():
        problems.append("the docs task wrote no catalog.json")
    if "refresh: done" not in result["output"]:
        problems.append("make refresh did not report done")
    if problems:
        print(result["output"][-8000:])
        print("\n".join(problems))
        return 1
    log(f"passed in {time.monotonic() - started:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="create .venv-airflow")
    run = sub.add_parser("check", help="DagBag and a run of the DAG against DuckDB")
    run.add_argument("--work", type=Path, default=ROOT / "target" / "ci" / "airflow")
    run.add_argument("--select", default=SELECT, help="what make refresh builds")
    args = parser.parse_args(argv)
    if args.command == "install":
        ensure_venv(AIRFLOW_VENV, REQUIREMENTS)
        return 0
    return check(args.work, args.select)


if __name__ == "__main__":
    sys.exit(main())
