"""Daily refresh of the energy warehouse (Cloud Composer / Airflow 2 DAG): `make refresh`.

`make refresh` is the whole daily run (energy_dw/refresh.py): the source freshness gate, the
incremental `dbt build`, the great-expectations validation, and on DuckDB the atomic publish; on
a failure it prints the failure report and exits non-zero, which fails the task. Airflow's retry
of the task resumes the run with `make refresh RETRY=1` (`dbt retry`, or the build again when the
run that died left no results). Then the docs are generated.

Configuration, all read when a task runs (Airflow Variables through templates: parsing the file
touches no database), with the production defaults:

- `energy_dw_project_dir`: the repository, synced to the Composer bucket's `data/energy_dw/`
  folder (mounted at /home/airflow/gcs/data/energy_dw);
- `energy_dw_venv`: the Python environment holding the project's locked requirements.txt
  (default: Composer's own, where they are installed as the environment's PyPI packages;
  `make` is told not to install: INSTALLED=1);
- `energy_dw_target` (`prod`: BigQuery; `ci` or `dev`: DuckDB, as the check runs it),
  `energy_dw_target_path`, `energy_dw_duckdb_path` (DuckDB only), `energy_dw_bq_project`,
  `energy_dw_dataproc_bucket`.

The Composer service account has the roles listed in docs/bigquery.md: it authenticates through
application-default credentials (DBT_BQ_METHOD=oauth), so no key file. The check
(`make check-airflow`, energy_dw/airflow_check.py) loads this file in a DagBag and runs
its tasks against DuckDB on the seeds.
"""

from __future__ import annotations

import datetime as dt

from airflow import DAG
from airflow.operators.bash import BashOperator


def variable(name: str, default: str) -> str:
    """An Airflow Variable, read when the task runs (a template), with its default."""
    return "{{ var.value.get('energy_dw_" + name + "', '" + default + "') }}"


PROJECT_DIR = variable("project_dir", "/home/airflow/gcs/data/energy_dw")
VENV = variable("venv", "/opt/python3.11")
TARGET_PATH = variable("target_path", "/tmp/energy_dw_target")  # not the Composer bucket
MAKE = f"make --no-print-directory -C {PROJECT_DIR} VENV={VENV} INSTALLED=1"

ENV = {
    "DBT_TARGET": variable("target", "prod"),
    "DBT_TARGET_PATH": TARGET_PATH,
    "DBT_LOG_PATH": f"{TARGET_PATH}/logs",
    # DuckDB targets only (the check): the working file, relative to the project directory
    "DBT_DUCKDB_PATH": variable("duckdb_path", "target/warehouse.duckdb"),
    "DBT_BQ_METHOD": "oauth",
    "DBT_BQ_PROJECT": variable("bq_project", "soe-prod-data-core-7529"),
    "DBT_BQ_DATASET": "analytics",
    "DBT_BQ_LOCATION": "EU",
    "DBT_BQ_DATAPROC_REGION": "europe-west2",
    "DBT_BQ_DATAPROC_BUCKET": variable("dataproc_bucket", ""),
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}

with DAG(
    dag_id="energy_dw_daily",
    description="make refresh (freshness gate, incremental dbt build, validation), then docs",
    schedule="0 6 * * *",  # 06:00 UTC, after the raw datasets' nightly loads
    start_date=dt.datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": dt.timedelta(minutes=15)},
    tags=["dbt", "energy_dw"],
) as dag:
    refresh = BashOperator(
        task_id="refresh",
        # as_of_date stays null: the marts are "as of" the latest load day in the data.
        bash_command=f"{MAKE} refresh{{{{ ' RETRY=1' if ti.try_number > 1 else '' }}}}",
        env=ENV,
        append_env=True,
        execution_timeout=dt.timedelta(hours=2),
    )
    docs = BashOperator(
        task_id="docs",
        bash_command=f"cd {PROJECT_DIR} && {VENV}/bin/dbt docs generate"
        f" --profiles-dir {PROJECT_DIR} --target-path {TARGET_PATH}",
        env=ENV,
        append_env=True,
    )
    refresh >> docs
