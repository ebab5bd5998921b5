"""Data quality of the last build: dbt's test results (each warning and failure with its rule, the
relation it tests and the keys of its offending rows, from the audit views) and the
great-expectations results per mart, readable offline.

Everything is read through `dashboard.data.quality`: dbt's artifacts of the target path that
built the warehouse, the audit views through the page's reader, and the validation's results file.
"""

from __future__ import annotations

import streamlit as st

from dashboard import components, definitions
from dashboard.components import format_number
from dashboard.data import Reader
from dashboard.data import quality as q

PAGE = "data_quality"
REPORT = (
    "The checks of the last build: dbt's data and unit tests (warnings and failures with the rule "
    "and the offending rows' keys) and the great-expectations suites of each mart."
)
STATUS_CARDS = {
    "pass": "Tests passed",
    "warn": "Warnings",
    "fail": "Failures",
    "error": "Errors",
    "skipped": "Skipped",
}
NO_GX = "No great-expectations results yet: run `make validate`"


def when(timestamp: str) -> str:
    """An artifact's ISO time (UTC) as the header shows times."""
    return f"{components.format_timestamp(timestamp)} UTC" if timestamp else "an unknown time"


def full_height(rows: int) -> int:
    """A table tall enough to show every row without an inner scroll bar."""
    return 38 + 35 * max(rows, 1)


def problem_heading(problem: q.Problem) -> str:
    if problem.kind == "unit test":
        return f"{problem.status.upper()}: unit test `{problem.name}` on {problem.tested}"
    rows = "n/a" if problem.failures is None else format_number(problem.failures)
    return (
        f"{problem.status.upper()}: rule `{problem.rule}` ({problem.name}) on "
        f"{problem.tested}: {rows} row(s)"
    )


def dbt_section(reader: Reader) -> None:
    st.header("dbt tests", divider="gray")
    target = definitions.target_path()
    run = q.dbt_run(target)
    if run is None:
        st.info(
            f"No dbt test results yet: {q.run_results_path(target)} does not exist. "
            "Run `make build`."
        )
        return
    st.caption(
        f"Results of `dbt {run.command or '?'}` of {when(run.generated_at)} "
        f"({q.run_results_path(target)})."
    )
    if not run.ran_tests:
        st.warning(
            f"The last dbt command in {target} (`dbt {run.command}`) ran no test. "
            "Run `make build` to build and test the warehouse."
        )
        return
    columns = st.columns(len(STATUS_CARDS))
    for column, (status, label) in zip(columns, STATUS_CARDS.items(), strict=True):
        column.metric(label, format_number(run.counts.get(status, 0)))
    others = {s: n for s, n in run.counts.items() if s not in STATUS_CARDS and n}
    if others:
        st.caption("Other statuses: " + ", ".join(f"{s}: {n}" for s, n in others.items()))
    if not run.problems:
        st.success("Every data test and unit test passed.")
        return
    st.subheader("Warnings and failures")
    st.dataframe(
        [
            {
                "status": p.status,
                "rule": p.rule,
                "test": p.name,
                "tested relation": p.tested,
                "rows": p.failures,
                "kind": p.kind,
            }
            for p in run.problems
        ],
        hide_index=True,
        key="data_quality_problems",
    )
    for problem in run.problems:
        with st.expander(problem_heading(problem), expanded=len(run.problems) <= 5):
            details = []
            if problem.rule_arguments:
                details.append(f"Rule arguments: `{problem.rule_arguments}`")
            if problem.description:
                details.append(problem.description)
            if problem.message and (problem.status == "error" or problem.kind == "unit test"):
                details.append(f"dbt says: `{problem.message.splitlines()[0][:300]}`")
            for line in details:
                st.markdown(line)
            found = q.audit_rows(reader, problem, run.pii_columns)
            if found.rows is None:
                st.caption(found.note)
                continue
            schema, view = problem.audit
            if found.total:
                st.caption(
                    f"The offending rows' keys (and the columns the rule names), first "
                    f"{min(len(found.rows), q.AUDIT_ROWS)} of {format_number(found.total)}, "
                    f"from the audit view `{schema}.{view}`."
                )
            else:
                st.caption(
                    f"The audit view `{schema}.{view}` holds no offending row now: the warehouse "
                    "changed since this run, or it is not the one this run tested."
                )
            st.dataframe(
                found.rows,
                hide_index=True,
                height=full_height(len(found.rows)),
                key=f"data_quality_rows_{problem.name}",
            )


def validation_section() -> None:
    st.header("great-expectations", divider="gray")
    target = definitions.target_path()
    results = q.validation(target)
    if results is None:
        st.info(NO_GX)
        st.caption(f"The page reads {q.validation_results_path(target)}.")
        return
    suites = results.suites
    st.caption(
        f"Validation on {results.engine or '?'} of {when(results.generated_at)} "
        f"({results.path}). The Data Docs site beside it (index.html) needs a network for its "
        "styles; this page shows the same results offline."
    )
    left, middle, right, last = st.columns(4)
    left.metric("Suites", format_number(len(suites)))
    middle.metric("Suites failed", format_number(int((~suites["success"]).sum())))
    right.metric("Expectations", format_number(int(suites["expectations"].sum())))
    last.metric("Expectations failed", format_number(int(suites["failed"].sum())))
    st.subheader("Per mart")
    st.dataframe(
        suites,
        hide_index=True,
        height=full_height(len(suites)),
        key="data_quality_suites",
        column_config={
            "suite": st.column_config.Column("suite", help="great-expectations suite"),
            "relation": st.column_config.Column("relation", help="the mart (or layer) checked"),
            "success": st.column_config.CheckboxColumn("success"),
        },
    )
    if results.failures.empty:
        st.success("Every expectation passed.")
        return
    st.subheader("Failed expectations")
    st.dataframe(
        results.failures,
        hide_index=True,
        key="data_quality_expectation_failures",
        column_config={"detail": st.column_config.TextColumn("detail", width="large")},
    )
    for suite, failures in results.failures.groupby("suite", sort=False):
        with st.expander(f"{suite}: {len(failures)} failed check(s) in full"):
            for row in failures.itertuples(index=False):
                what = f"`{row.expectation}` " if row.expectation else ""
                st.markdown(f"- **{row.check}** {what}: {row.detail}")


def body(reader: Reader) -> None:
    dbt_section(reader)
    validation_section()


components.run_page("data_quality", "Data quality", REPORT, body)
