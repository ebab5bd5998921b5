"""The scheduler examples in orchestration/ call `make refresh`, and the GitHub Actions workflow
is valid: check-jsonschema's copy of the workflow schema (`vendor.github-workflows`) accepts it and
rejects a broken copy. The Airflow DAG is loaded and run by Airflow itself in `make check-airflow`
(energy_dw/airflow_check.py), in its own virtualenv.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

WORKFLOW = ROOT / "orchestration" / "github_actions" / "daily_refresh.yml"
DAG = ROOT / "orchestration" / "airflow" / "energy_dw_daily.py"


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    beside = Path(sys.executable).parent / "check-jsonschema"
    command = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    if command is None:
        pytest.fail("check-jsonschema is not installed (requirements.txt pins it)")
    return subprocess.run(
        [command, "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_workflow_validates_against_the_github_workflow_schema():
    run = _check_jsonschema(WORKFLOW)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    "old, new",
    [
        ("    runs-on: ubuntu-latest\n", ""),  # a job needs runs-on
        ("    timeout-minutes: 150\n", "    timeout-minutes: soon\n"),
        ("      - name: Refresh\n", "      - nom: Refresh\n"),
    ],
)
def test_a_broken_workflow_is_rejected(tmp_path, old, new):
    text = WORKFLOW.read_text()
    assert old in text
    broken = tmp_path / "daily_refresh.yml"
    broken.write_text(text.replace(old, new, 1))
    run = _check_jsonschema(broken)
    assert run.returncode != 0, f"the schema accepted the workflow without {old.strip()!r}"


def test_both_examples_run_make_refresh():
    workflow, dag = WORKFLOW.read_text(), DAG.read_text()
    assert "make refresh" in workflow
    assert "bin/dbt" not in workflow, "the workflow runs dbt steps of its own besides make refresh"
    assert 'MAKE = f"make ' in dag and "{MAKE} refresh" in dag and "bin/dbt build" not in dag
