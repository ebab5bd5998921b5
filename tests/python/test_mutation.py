"""The mutation engine (energy_dw.mutation): each operator on a small SQL string, the Jinja round
trip, the seeded sample; and a fixed sample of real mutants built with dbt (a few that must die,
one known equivalent) so the tool stays honest (docs/mutation.md)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from energy_dw import mutation

ROOT = Path(__file__).resolve().parents[2]


def applied(sql: str, operator: str) -> list[str]:
    return sorted(m.apply(sql) for m in mutation.mutants(sql) if m.operator == operator)


def test_comparison_swapped():
    assert applied("select a from t where a < 1", "comparison") == ["select a from t where a <= 1"]
    assert applied("select a from t where a >= b", "comparison") == ["select a from t where a > b"]


def test_and_or_swapped_in_filters_and_joins_only():
    sql = "select a and b as c from t join u on t.x = u.x and t.y = u.y where p or q"
    got = applied(sql, "and_or")
    assert got == sorted(
        [
            "select a and b as c from t join u on t.x = u.x or t.y = u.y where p or q",
            "select a and b as c from t join u on t.x = u.x and t.y = u.y where p and q",
        ]
    )


def test_between_and_is_not_an_and():
    assert applied("select a from t where a between 1 and 2", "and_or") == []


def test_window_order_swapped_or_given_a_direction():
    sql = "select row_number() over (partition by k order by a desc, b) as n from t"
    assert applied(sql, "window_order") == sorted(
        [
            "select row_number() over (partition by k order by a asc, b) as n from t",
            "select row_number() over (partition by k order by a desc, b desc) as n from t",
        ]
    )


def test_min_max_and_distinct():
    assert applied("select min(a) from t", "min_max") == ["select max(a) from t"]
    assert applied("select count(distinct a) from t", "distinct") == ["select count(a) from t"]


def test_one_predicate_dropped():
    sql = "select a from t where a > 1 and (b = 2 or c = 3)"
    assert applied(sql, "drop_predicate") == sorted(
        [
            "select a from t where true and (b = 2 or c = 3)",
            "select a from t where a > 1 and true",
        ]
    )


def test_coalesce_default_dropped():
    assert applied("select coalesce(a, 0) as a from t", "coalesce_default") == [
        "select (a) as a from t"
    ]
    assert applied("select coalesce(a, b, 0) as a from t", "coalesce_default") == [
        "select coalesce(a, b) as a from t"
    ]


def test_join_types_swapped():
    sql = "select * from t left join u on t.k = u inner join v on t.k = v join w on t.k = w"
    assert applied(sql, "join_type") == sorted(
        [
            "select * from t inner join u on t.k = u inner join v on t.k = v join w on t.k = w",
            "select * from t left join u on t.k = u left join v on t.k = v join w on t.k = w",
            "select * from t left join u on t.k = u inner join v on t.k = v left join w on t.k = w",
        ]
    )


def test_integer_and_day_offset_moved_by_one():
    assert applied("select a from t where n > 90", "integer") == ["select a from t where n > 91"]
    sql = "select {{ add_days('d', -1) }} as e from {{ ref('t') }}"
    assert applied(sql, "day_offset") == ["select {{ add_days('d', 0) }} as e from {{ ref('t') }}"]


def test_jinja_kept_and_incremental_block_left_alone():
    sql = (
        "{{ config(materialized='incremental') }}\n"
        "-- a comment with {{ ref('x') }}\n"
        "with s as (select * from {{ ref('x') }}\n"
        "    {% if is_incremental() %} where d > 1 {% endif %}\n"
        ")\nselect * from s where {{ to_date('a') }} >= 2\n"
    )
    masked = mutation.mask(sql)
    assert len(masked) == len(sql) and masked.count("\n") == sql.count("\n")
    found = mutation.mutants(sql)
    # only the final filter: nothing inside Jinja or the incremental branch
    assert {m.operator for m in found} == {"comparison", "integer", "drop_predicate"}
    for m in found:
        out = m.apply(sql)
        assert "{% if is_incremental() %} where d > 1 {% endif %}" in out
        assert out.startswith("{{ config(materialized='incremental') }}\n-- a comment with")


def test_no_mutation_round_trip_of_every_model():
    for path in mutation.model_files(["models/marts/operations", "models/intermediate/billing"]):
        text = path.read_text()
        assert len(mutation.mask(text)) == len(text)
        for m in mutation.mutants(text):
            out = m.apply(text)
            assert out != text
            # an edit touches one span only: the text around it is unchanged
            assert out[: m.start] == text[: m.start]
            assert out[m.start + len(m.replacement) :] == text[m.end :]


def test_sample_is_fixed_by_the_seed():
    text = (ROOT / "models/marts/portfolio/fct_portfolio_account_monthly.sql").read_text()
    found = mutation.mutants(text)
    first = mutation.sample(found, 5, 16, "fct_portfolio_account_monthly")
    assert first == mutation.sample(found, 5, 16, "fct_portfolio_account_monthly")
    assert first != mutation.sample(found, 5, 17, "fct_portfolio_account_monthly")
    assert len(first) == 5


# --- a fixed sample built with dbt (needs the seeded ci build: make dbt-ci) -------------------

SAMPLE_MODEL = ROOT / "models/intermediate/billing/int_bill_period_meter_points_summed.sql"
# (operator, replacement, where, must die): mutants of SAMPLE_MODEL picked by their edit. The last
# is equivalent: `sum(case when ... then 2 else 0 end) > 0` holds exactly when the sum with 1 does.
SAMPLE = [
    ("drop_predicate", "true", "bill_periods.bill_id = bill_lines.bill_id", True),
    ("integer", "1", "case when charge_type = 'UNIT' then quantity_kwh else 0", True),
    ("comparison", ">=", "end) > 0 as has_export_line", True),
    ("integer", "2", "when charge_type = 'EXPORT' then 1 else 0 end) > 0", False),
]


def pick(text: str, operator: str, replacement: str, near: str) -> mutation.Mutant:
    at = text.index(near)
    return next(
        m
        for m in mutation.mutants(text)
        if m.operator == operator
        and m.replacement == replacement
        and at <= m.start < at + len(near)
    )


@pytest.mark.skipif(
    not Path(os.environ.get("DBT_DUCKDB_PATH", ROOT / "target/ci/ci.duckdb")).exists(),
    reason="needs the seeded ci build (make dbt-ci)",
)
def test_fixed_sample_killed_and_equivalent_survives(tmp_path):
    base = tmp_path / "base.duckdb"
    shutil.copyfile(os.environ.get("DBT_DUCKDB_PATH", ROOT / "target/ci/ci.duckdb"), base)
    saved = os.environ.get("DBT_DUCKDB_PATH")
    try:
        runner = mutation.Runner(tmp_path, base)
        text = SAMPLE_MODEL.read_text()
        # the model alone (its unit and data tests): quick, and enough for this sample
        passed, failing = runner.build(SAMPLE_MODEL.stem, downstream=False)
        assert passed, failing
        # dbt-duckdb leaves the database open in the process that ran dbt: the builds run in a
        # child process, so this one can open the work file, and a table left in it (as a
        # previous mutant's would be) is gone once the next build has copied the base again
        with duckdb.connect(str(runner.db)) as con:
            con.execute("create table main.left_by_a_previous_build as select 1 as x")
        for operator, replacement, near, must_die in SAMPLE:
            m = pick(text, operator, replacement, near)
            killed, _ = runner.run_mutant(SAMPLE_MODEL, text, m, downstream=False)
            assert killed == must_die, m.diff(text)
        with duckdb.connect(str(runner.db)) as con:
            left = con.execute(
                "select count(*) from information_schema.tables"
                " where table_name = 'left_by_a_previous_build'"
            ).fetchone()[0]
        assert left == 0
    finally:
        if saved is None:
            os.environ.pop("DBT_DUCKDB_PATH", None)
        else:
            os.environ["DBT_DUCKDB_PATH"] = saved


def test_a_quoted_jinja_span_inside_a_hook_string_is_masked_whole():
    text = (
        '{{ config(post_hook="delete from {{ this }} where id not in (select id from "\n'
        "    ~ \"{{ ref('parent') }})\") }}\nselect a from t where a < 1\n"
    )
    masked = mutation.mask(text)
    assert len(masked) == len(text)
    assert "delete" not in masked and '"' not in masked, masked
    assert masked.rstrip().endswith("select a from t where a < 1")
    assert {m.operator for m in mutation.mutants(text)} >= {"comparison"}


# --- the Python side (energy_dw.mutation_python, mutmut): one mutant of the export must die ------


def test_a_python_mutant_of_the_export_dies(tmp_path):
    """`if value is None` turned into `if value is not None` in format_value: every field empty."""
    from contextlib import chdir

    from mutmut.mutation.diff_apply import get_diff_for_mutant

    from energy_dw import mutation_python

    name = "energy_dw.opower_export.x_format_value__mutmut_1"
    work = tmp_path / "python"
    argv = ["energy_dw/opower_export.py", "--work", str(work), "--max-children", "1"]
    assert mutation_python.main([*argv, "--mutant", name]) == 0
    with chdir(work / "root"):
        diff = get_diff_for_mutant(name, path="energy_dw/opower_export.py")
    assert "+    if value is not None:" in diff, diff  # the mutant this test means
    results = json.loads((work / "results.json").read_text())["mutants"]
    assert [(r["mutant"], r["killed"]) for r in results] == [(name, True)]


def _write_and_leave_open(path: str) -> None:
    con = duckdb.connect(path)
    con.execute("create table t as select 1 as x")
    _write_and_leave_open.kept = con  # open until the pool terminates this worker, as dbt leaves it


def test_the_base_is_checkpointed_after_a_terminated_worker_built_it(tmp_path):
    # build_base runs dbt in a pool worker that is terminated with the database still open: its
    # last writes are in the WAL, and the runner refuses a base with a WAL (a copy would miss them)
    import multiprocessing

    db = tmp_path / "base.duckdb"
    with multiprocessing.get_context("fork").Pool(1) as pool:
        pool.apply(_write_and_leave_open, (str(db),))
    assert Path(f"{db}.wal").exists()  # the case this guards
    with multiprocessing.get_context("fork").Pool(1) as pool:
        pool.apply(mutation._checkpoint, (str(db),))
    assert not Path(f"{db}.wal").exists()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select x from t").fetchall() == [(1,)]
    con.close()
