"""Daily refresh of the energy warehouse on BigQuery (Cloud Composer / Airflow 2 DAG).

Assumes the repository is synced to the Composer bucket's `data/energy_dw/` folder (mounted at
/home/airflow/gcs/data/energy_dw) with its locked requirements installed in the environment,
and that the Composer service account has the roles listed in docs/bigquery.md: it
authenticates through application-default credentials (DBT_BQ_METHOD=oauth), so no key file.
"""

from __future__ import annotations

import datetime as dt

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

PROJECT_DIR = "/home/airflow/gcs/data/energy_dw"
DBT = f"cd {PROJECT_DIR} && dbt"
TARGET_PATH = "/tmp/energy_dw_target"  # the Composer bucket is not a good place for target/

ENV = {
    "DBT_PROFILES_DIR": PROJECT_DIR,
    "DBT_TARGET": "prod",
    "DBT_BQ_METHOD": "oauth",
    "DBT_BQ_PROJECT": Variable.get("energy_dw_bq_project", default_var="soe-prod-data-core-7529"),
    "DBT_BQ_DATASET": "analytics",
    "DBT_BQ_LOCATION": "EU",
    "DBT_BQ_DATAPROC_REGION": "europe-west2",
    "DBT_BQ_DATAPROC_BUCKET": Variable.get("energy_dw_dataproc_bucket", default_var=""),
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}

with DAG(
    dag_id="energy_dw_daily",
    description="dbt source freshness, then dbt build of the energy warehouse on BigQuery",
    schedule="0 6 * * *",  # 06:00 UTC, after the raw datasets' nightly loads
    start_date=dt.datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": dt.timedelta(minutes=15)},
    tags=["dbt", "energy_dw"],
) as dag:
    freshness = BashOperator(
        task_id="source_freshness",
        bash_command=f"{DBT} source freshness --target-path {TARGET_PATH}",
        env=ENV,
        append_env=True,
    )
    build = BashOperator(
        task_id="build",
        # as_of_date stays null: the marts are "as of" the latest load day in the data.
        bash_command=f"{DBT} build --target-path {TARGET_PATH}",
        env=ENV,
        append_env=True,
        execution_timeout=dt.timedelta(hours=2),
    )
    docs = BashOperator(
        task_id="docs",
        bash_command=f"{DBT} docs generate --target-path {TARGET_PATH}",
        env=ENV,
        append_env=True,
    )
    freshness >> build >> docs
