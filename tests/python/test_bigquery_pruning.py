"""The pruning check (energy_dw.bigquery.pruning) on a small manifest: a literal window passes,
the old subquery window and a function of the load-time column fail, naming model and filter.
make check-bigquery runs the same check over the project's compiled incremental SQL."""

from __future__ import annotations

import json

import pytest

from energy_dw.bigquery import pruning

PROJECT = "`energy-dw-emulator`"
STAGING = f"{PROJECT}.`analytics_staging`.`stg_pulse__payments`"
AS_OF = f"{PROJECT}.`analytics_utilities`.`util_as_of_date`"
LITERAL = "paid_at >= timestamp '2026-10-24 00:00:00+00'"
SUBQUERY = f"date(paid_at) >= date_add((select latest_load_date from {AS_OF}), interval -7 day)"


def _manifest(model_sql: str, macros: tuple[str, ...] = (pruning.LOADED_WITHIN_LOOKBACK,)):
    staging_sql = (
        f"with source as (select * from {PROJECT}.`pulse`.`payment`), renamed as ("
        "select payment_id, account_id, paid_at, amount, credit_days from source) "
        "select * from renamed"
    )
    return {
        "sources": {
            "source.energy_warehouse.pulse.payment": {
                "unique_id": "source.energy_warehouse.pulse.payment",
                "source_name": "pulse",
                "name": "payment",
                "loaded_at_field": "paid_at",
                "relation_name": f"{PROJECT}.`pulse`.`payment`",
            }
        },
        "nodes": {
            "model.energy_warehouse.stg_pulse__payments": {
                "resource_type": "model",
                "name": "stg_pulse__payments",
                "config": {"materialized": "view"},
                "depends_on": {"nodes": ["source.energy_warehouse.pulse.payment"], "macros": []},
                "relation_name": STAGING,
                "compiled_code": staging_sql,
            },
            "model.energy_warehouse.int_payments_credit_accumulated": {
                "resource_type": "model",
                "name": "int_payments_credit_accumulated",
                "config": {"materialized": "incremental"},
                "depends_on": {
                    "nodes": ["model.energy_warehouse.stg_pulse__payments"],
                    "macros": list(macros),
                },
                "relation_name": f"{PROJECT}.`analytics_intermediate`.`int_payments`",
                "compiled_code": model_sql,
            },
        },
    }


def _import_cte(where: str) -> str:
    return f"with payments as (select * from {STAGING} where {where}) select * from payments"


def _check(model_sql: str, **kwargs) -> tuple[list[pruning.Finding], list[str]]:
    return pruning.check_manifest(_manifest(model_sql, **kwargs))


def test_the_staging_alias_of_the_load_time_column_is_found():
    relations = pruning.source_load_columns(_manifest(_import_cte(LITERAL)))
    assert relations["analytics_staging.stg_pulse__payments"] == (
        "stg_pulse__payments",
        {"paid_at"},
    )


def test_a_literal_window_passes():
    findings, failures = _check(_import_cte(LITERAL))
    assert failures == []
    assert [(f.model, f.column, f.literal) for f in findings] == [
        ("int_payments_credit_accumulated", "paid_at", True)
    ]


def test_a_literal_window_on_the_import_cte_passes():
    sql = (
        f"with payments as (select * from {STAGING}) select * from payments as p where p.{LITERAL}"
    )
    findings, failures = _check(sql)
    assert failures == [] and len(findings) == 1


@pytest.mark.parametrize(
    "where",
    [
        SUBQUERY,
        f"paid_at >= (select timestamp(latest_load_date) from {AS_OF})",
        "date(paid_at) >= date '2026-10-24'",
        f"paid_at between (select min(paid_at) from {AS_OF}) and timestamp '2026-11-01'",
    ],
    ids=["subquery_window", "scalar_subquery", "function_of_column", "between_subquery"],
)
def test_a_window_that_cannot_prune_fails_naming_the_model_and_the_filter(where):
    findings, failures = _check(_import_cte(where))
    assert len(failures) == 1, failures
    assert failures[0].startswith("int_payments_credit_accumulated: `")
    assert "NOT a literal range" in failures[0]
    assert "stg_pulse__payments.paid_at" in failures[0]


def test_a_join_condition_on_the_load_time_column_is_not_a_filter():
    sql = (
        f"with payments as (select * from {STAGING}), months as (select date '2026-10-31' as d) "
        "select * from payments inner join months on payments.paid_at <= timestamp(months.d) "
        f"where payments.{LITERAL}"
    )
    findings, failures = _check(sql)
    assert failures == [] and len(findings) == 1


def test_a_model_calling_the_window_macro_without_a_filter_found_fails():
    _, failures = _check(f"select * from {STAGING}")
    assert failures and "no filter on a source's load-time column" in failures[0]


def test_main_exit_status(tmp_path, capsys):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(_manifest(_import_cte(LITERAL))))
    bad.write_text(json.dumps(_manifest(_import_cte(SUBQUERY))))
    assert pruning.main(["--manifest", str(good)]) == 0
    assert pruning.main(["--manifest", str(bad)]) == 1
    assert "FAIL int_payments_credit_accumulated" in capsys.readouterr().out
