"""The mutation engine (energy_dw.mutation): each operator on a small SQL string, the Jinja round
trip, the seeded sample; and a fixed sample of real mutants built with dbt (a few that must die,
one known equivalent) so the tool stays honest (docs/mutation.md)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
        for operator, replacement, near, must_die in SAMPLE:
            m = pick(text, operator, replacement, near)
            killed, _ = runner.run_mutant(SAMPLE_MODEL, text, m, downstream=False)
            assert killed == must_die, m.diff(text)
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


class _FakeDbt:
    """Stands in for dbtRunner: records the process each invocation ran in."""

    pids: list[int] = []

    def __init__(self, status: str):
        self.status = status

    def invoke(self, args):
        _FakeDbt.pids.append(os.getpid())
        node = type("Node", (), {"name": "fct_x"})()
        result = [type("Result", (), {"status": self.status, "node": node})()]
        return type("Res", (), {"result": result, "success": self.status == "pass"})()


@pytest.mark.parametrize("status, expected", [("pass", (True, [])), ("fail", (False, ["fct_x"]))])
def test_each_build_runs_in_its_own_process(tmp_path, status, expected):
    # a DuckDB instance left open by one build must not outlive it: every build runs in a child
    # process (whatever it leaves behind dies with it, but for a WAL file, removed before the
    # next copy of the base), and its verdict comes back intact
    base = tmp_path / "base.duckdb"
    base.write_bytes(b"base")
    saved = os.environ.get("DBT_DUCKDB_PATH")
    try:
        runner = mutation.Runner(tmp_path, base)
        runner.dbt = _FakeDbt(status)
        _FakeDbt.pids.clear()
        (tmp_path / "work.duckdb.wal").write_bytes(b"left by the previous build")
        assert runner.build("fct_x") == expected
        assert not (tmp_path / "work.duckdb.wal").exists()
        assert runner.build("fct_x") == expected
        assert _FakeDbt.pids == []  # never invoked in this process
        assert (tmp_path / "work.duckdb").read_bytes() == b"base"
    finally:
        if saved is None:
            os.environ.pop("DBT_DUCKDB_PATH", None)
        else:
            os.environ["DBT_DUCKDB_PATH"] = saved
