"""The BigQuery strictness check: each DuckDB-only fixture fails, the clean one passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from energy_dw.bigquery.strictness import check_sql, main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bigquery_strictness"
INVALID = sorted((FIXTURES / "invalid").glob("*.sql"))
VALID = sorted((FIXTURES / "valid").glob("*.sql"))

# fixture -> a word the offence must name
EXPECTED = {
    "epoch_ms": "epoch_ms",
    "try_cast": "try_cast",
    "strftime": "strftime",
    "list_value": "list_value",
    "double_colon_cast": "`::`",
    "date_diff_duckdb_order": "argument order",
}


def test_every_offence_has_a_fixture():
    assert {path.stem for path in INVALID} == set(EXPECTED)
    assert VALID


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_duckdb_only_sql_fails(path):
    offences = check_sql(path.read_text(), path.name)
    assert len(offences) == 1, offences
    assert EXPECTED[path.stem] in offences[0].message


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_clean_bigquery_passes(path):
    assert check_sql(path.read_text(), path.name) == []


@pytest.mark.parametrize(
    ("sql", "word"),
    [
        ("select a from t union select b from u", "not BigQuery SQL"),
        ("select no_such_function(a) from t", "no_such_function"),
        ('select "a" from t', "string literal on BigQuery"),
        ("select a from t where a ilike 'x%'", "ilike"),
        ("select * exclude (a) from t", "except"),
        ("select distinct on (a) a, b from t", "distinct on"),
        ("select cast(a as double) from t", "double"),
        ("select cast(a as varchar) from t", "varchar"),
        ("select date_add(d, interval '1 day') from t", "interval"),
        ("select datediff('day', a, b) from t", "datediff"),
        ("select list_transform(l, x -> x + 1) from t", "lambda"),
    ],
)
def test_other_duckdb_idioms_fail(sql, word):
    offences = check_sql(sql, "inline")
    assert any(word in offence.message for offence in offences), offences


@pytest.mark.parametrize(
    "sql",
    [
        "select safe.parse_date('%Y%m%d', d) from t",
        "select `my-project`.udfs.normalise(a) from t",
        "select farm_fingerprint(a), format('%d', n) from t",
        r"select a from t where b = 'it\'s \"quoted\"'",
        "select cast(a as int64), cast(b as numeric), safe_cast(c as bool) from t",
        "select date_diff(b, a, day), timestamp_diff(y, x, second) from t",
    ],
)
def test_bigquery_idioms_pass(sql):
    assert check_sql(sql, "inline") == []


def test_cli_exit_codes(capsys):
    assert main([str(path) for path in VALID]) == 0
    assert main([str(INVALID[0])]) == 1
    assert "BIGQUERY-INVALID" in capsys.readouterr().out
