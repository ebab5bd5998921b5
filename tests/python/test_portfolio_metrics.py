"""The portfolio metrics of the semantic layer agree with the marts' numerators/denominators.

MetricFlow compiles each metric query (`mf query --explain`) and the SQL runs on the read-only
`warehouse` connection, so the check needs no second (write) connection to the DuckDB file. The
marts side re-aggregates fct_portfolio_monthly's additive columns on the same slice.

`mf` reads `target/semantic_manifest.json` under its working directory, and nothing else: it runs
in $MF_PROJECT_DIR if set, else in a scratch root of the project whose `target` is the target path
of the build the `warehouse` fixture reads ($DBT_TARGET_PATH, else target/ci, where make dbt-ci
writes), so the metric SQL names that build's catalog.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import mf_command

from energy_dw import scratch_project

MONTHS = ("2026-03-01", "2026-10-01")


@pytest.fixture(scope="module")
def mf_project(project_root: Path, tmp_path_factory) -> Path:
    if "MF_PROJECT_DIR" in os.environ:
        root = Path(os.environ["MF_PROJECT_DIR"])
    else:
        target = Path(os.environ.get("DBT_TARGET_PATH", project_root / "target" / "ci"))
        root = scratch_project.create(tmp_path_factory.mktemp("mf") / "project", target)
    manifest = root / "target" / "semantic_manifest.json"
    mf = mf_command()
    problem = None
    if not Path(mf).exists():
        problem = "the mf command (dbt-metricflow) is not installed"
    elif not manifest.exists():
        problem = f"{manifest} not found: run `dbt parse` first"
    else:
        metrics = {m["name"] for m in json.loads(manifest.read_text()).get("metrics", [])}
        if "portfolio_default_rate" not in metrics:
            problem = f"{manifest} has no portfolio metrics: run `dbt parse` first"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    return root


def metric_sql(mf_project: Path, metrics: list[str], group_by: list[str]) -> str:
    mf = mf_command()
    result = subprocess.run(
        [
            mf,
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            ",".join(group_by),
            "--explain",
        ],
        cwd=mf_project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(("WITH", "SELECT")))
    return "\n".join(lines[start:])


def query_metrics(warehouse, mf_project, metrics, group_by) -> pd.DataFrame:
    frame = warehouse.sql(metric_sql(mf_project, metrics, group_by)).df()
    time_column = next(c for c in frame.columns if c.startswith("metric_time__"))
    frame[time_column] = pd.to_datetime(frame[time_column])
    return frame


def mart(warehouse, select: str, group_by: str) -> pd.DataFrame:
    frame = warehouse.sql(
        f"select {group_by}, {select} from marts.fct_portfolio_monthly group by {group_by}"
    ).df()
    frame["activity_month"] = pd.to_datetime(frame["activity_month"])
    return frame


def compare(metrics: pd.DataFrame, marts: pd.DataFrame, keys: dict[str, str], pairs: dict):
    """Join on the slice keys (metric column -> mart column) and compare each metric pair."""
    merged = metrics.rename(columns=keys).merge(marts, on=list(keys.values()), how="outer")
    merged = merged[merged["activity_month"].between(*MONTHS)]
    assert len(merged) > 0
    for metric_column, mart_column in pairs.items():
        left = merged[metric_column].astype("float64")
        right = merged[mart_column].astype("float64")
        both_null = left.isna() & right.isna()
        close = (left - right).abs() < 1e-9
        bad = merged.loc[~(both_null | close), [*keys.values(), metric_column, mart_column]]
        assert bad.empty, f"{metric_column} differs from the mart's {mart_column}:\n{bad}"


def test_default_rate_by_opco_and_month(warehouse, mf_project):
    metrics = query_metrics(
        warehouse,
        mf_project,
        ["portfolio_default_rate", "portfolio_in_default_pct", "portfolio_contracted_size"],
        ["metric_time__month", "account_month__opco"],
    )
    marts = mart(
        warehouse,
        """sum(default_rate_numerator) * 1.0
            / nullif(sum(active_portfolio_previous_month_end), 0) as default_rate,
        sum(defaulters) * 1.0 / nullif(sum(contracted_portfolio_size), 0) as in_default,
        sum(contracted_portfolio_size) as contracted""",
        "activity_month, opco",
    )
    compare(
        metrics,
        marts,
        {"metric_time__month": "activity_month", "account_month__opco": "opco"},
        {
            "portfolio_default_rate": "default_rate",
            "portfolio_in_default_pct": "in_default",
            "portfolio_contracted_size": "contracted",
        },
    )


def test_churn_and_net_completion_rates_by_tv_customer_and_month(warehouse, mf_project):
    metrics = query_metrics(
        warehouse,
        mf_project,
        [
            "portfolio_churn_rate",
            "portfolio_churn_rate_90_days",
            "portfolio_net_completion_rate",
            "portfolio_net_completion_rate_30_days",
        ],
        ["metric_time__month", "account_month__tv_customer"],
    )
    marts = mart(
        warehouse,
        """sum(churns) * 1.0 / nullif(sum(contracted_portfolio_previous_month_end), 0) as churn,
        sum(churns_last_90_days) * 1.0
            / nullif(sum(contracted_portfolio_90_days_ago), 0) as churn_90,
        sum(net_completions) * 1.0
            / nullif(sum(contracted_portfolio_previous_month_end), 0) as net_completion,
        sum(net_completions_last_30_days) * 1.0
            / nullif(sum(contracted_portfolio_30_days_ago), 0) as net_completion_30""",
        "activity_month, tv_customer",
    )
    compare(
        metrics,
        marts,
        {"metric_time__month": "activity_month", "account_month__tv_customer": "tv_customer"},
        {
            "portfolio_churn_rate": "churn",
            "portfolio_churn_rate_90_days": "churn_90",
            "portfolio_net_completion_rate": "net_completion",
            "portfolio_net_completion_rate_30_days": "net_completion_30",
        },
    )


def test_par_by_balance_and_collection_rate_by_enable_status(warehouse, mf_project):
    metrics = query_metrics(
        warehouse,
        mf_project,
        ["portfolio_par_30_balance_rate", "portfolio_par_120_rate", "portfolio_collection_rate"],
        ["metric_time__month", "account_month__enable_status"],
    )
    marts = mart(
        warehouse,
        """sum(par_30_balance) * 1.0 / nullif(sum(outstanding_balance), 0) as par_30_balance,
        sum(par_120_accounts) * 1.0 / nullif(sum(contracted_portfolio_size), 0) as par_120,
        sum(amount_paid) * 1.0 / nullif(sum(amount_due), 0) as collection""",
        "activity_month, enable_status",
    )
    compare(
        metrics,
        marts,
        {"metric_time__month": "activity_month", "account_month__enable_status": "enable_status"},
        {
            "portfolio_par_30_balance_rate": "par_30_balance",
            "portfolio_par_120_rate": "par_120",
            "portfolio_collection_rate": "collection",
        },
    )


def test_stock_at_quarter_grain_is_the_last_month_of_the_quarter(warehouse, mf_project):
    metrics = query_metrics(
        warehouse, mf_project, ["portfolio_contracted_size"], ["metric_time__quarter"]
    )
    marts = warehouse.sql(
        """
        select activity_month, sum(contracted_portfolio_size) as contracted
        from marts.fct_portfolio_monthly
        group by activity_month
        """
    ).df()
    marts["quarter"] = pd.to_datetime(marts["activity_month"]).dt.to_period("Q")
    last_months = marts.sort_values("activity_month").groupby("quarter").tail(1)
    expected = dict(zip(last_months["quarter"], last_months["contracted"], strict=True))
    assert len(metrics) > 0 and len(expected) > 0, "no quarters to compare"
    assert len(metrics) == len(expected), (len(metrics), len(expected))
    for _, row in metrics.iterrows():
        quarter = row["metric_time__quarter"].to_period("Q")
        assert row["portfolio_contracted_size"] == expected[quarter], quarter


def test_defaulters_offset_matches_delta_in_defaulters(warehouse, mf_project):
    metrics = query_metrics(
        warehouse,
        mf_project,
        ["portfolio_defaulters_change_vs_previous_month", "portfolio_delta_in_defaulters"],
        ["metric_time__month"],
    )
    metrics = metrics[metrics["metric_time__month"].between(*MONTHS)]
    assert len(metrics) > 0
    assert (
        metrics["portfolio_defaulters_change_vs_previous_month"]
        == metrics["portfolio_delta_in_defaulters"]
    ).all()


def test_notifications_by_campaign_and_month(warehouse, mf_project):
    metrics = query_metrics(
        warehouse,
        mf_project,
        ["portfolio_notifications"],
        ["metric_time__month", "portfolio_notification__campaign_name"],
    )
    marts = warehouse.sql(
        """
        select sent_month as activity_month, campaign_name, count(*) as notifications
        from marts.fct_portfolio_notifications
        group by sent_month, campaign_name
        """
    ).df()
    marts["activity_month"] = pd.to_datetime(marts["activity_month"])
    compare(
        metrics,
        marts,
        {
            "metric_time__month": "activity_month",
            "portfolio_notification__campaign_name": "campaign_name",
        },
        {"portfolio_notifications": "notifications"},
    )
