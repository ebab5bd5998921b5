"""Same numbers: every mart of the seeded build equals its committed checksum, row for row.

tests/fixtures/mart_checksums/seeds.json holds, per mart, the row count and order-independent
checksums written by energy_dw.mart_checksums from the seeded CI build; a rewrite of the models
that changes one value of one row of one mart fails here, naming the mart and the column. After a
deliberate change of the numbers, regenerate it: `make same-numbers-update`. The generated
scale-0.01 set is checked by `make same-numbers` (docs/incremental.md, "Same numbers").

The other tests show that the checksum can fail, and on what: one changed value, one row more or
less, a NULL for an empty string; and what it ignores: row order, column order, a double a few
units in its last place away.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, dbt_target_path, unavailable, warehouse_path

from energy_dw import mart_checksums

FIXTURE = ROOT / "tests" / "fixtures" / "mart_checksums" / "seeds.json"


def _manifest() -> Path:
    manifest = dbt_target_path() / "manifest.json"
    if not manifest.exists():
        unavailable(f"{manifest} not found: run `make dbt-ci` first")
    if not warehouse_path().exists():
        unavailable(f"warehouse {warehouse_path()} not built: run `make dbt-ci` first")
    return manifest


def test_every_mart_equals_the_seeds_fixture():
    manifest = _manifest()
    expected = json.loads(FIXTURE.read_text())["marts"]
    actual = mart_checksums.compute(warehouse_path(), manifest)
    found = mart_checksums.differences(expected, actual)
    assert not found, (
        "marts differ from the committed checksums (a deliberate change? `make "
        "same-numbers-update`):\n" + "\n".join(found)
    )


def test_the_marts_are_read_from_the_manifest():
    """Every model file under models/marts and python_models is a mart the checksum covers."""
    manifest = json.loads(_manifest().read_text())
    found = {node["alias"] for node in mart_checksums.marts(manifest)}
    on_disk = {path.stem for path in (ROOT / "models" / "marts").rglob("*.sql")} | {
        path.stem for path in (ROOT / "python_models").rglob("*.py")
    }
    assert on_disk and found == on_disk
    assert found == set(json.loads(FIXTURE.read_text())["marts"])


TABLE = """
    create table marts.t as select * from (values
        (1, 'a', 0.1::double + 0.2::double, 12.345::decimal(18, 3), date '2026-10-31',
         timestamp '2026-10-31 12:00:00', true),
        (2, '', 1e20::double, null, null, null, false),
        (3, null, -0.0::double, 0.000::decimal(18, 3), date '2024-05-01',
         timestamp '2024-05-01 00:00:00.000001', null)
    ) v(id, label, amount, price, on_day, stamped, flag)
"""


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(TABLE)
    yield con
    con.close()


def _checksum(con) -> dict:
    return mart_checksums.mart_checksum(con, "marts", "t")


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ("update marts.t set label = 'b' where id = 1", "label"),
        ("update marts.t set label = null where id = 2", "label"),  # '' is not NULL
        ("update marts.t set amount = 0.30000001 where id = 1", "amount"),
        ("update marts.t set price = 12.346 where id = 1", "price"),
        ("update marts.t set on_day = date '2026-10-30' where id = 1", "on_day"),
        ("update marts.t set stamped = stamped + interval 1 microsecond where id = 1", "stamped"),
        ("update marts.t set flag = false where id = 1", "flag"),
        # values swapped between two rows: every column sum holds, the rows do not
        ("update marts.t set id = 4 - id where id in (1, 3)", None),
    ],
)
def test_one_changed_value_changes_the_checksum(con, change, column):
    before = _checksum(con)
    con.execute(change)
    after = _checksum(con)
    assert after["rows"] == before["rows"]
    assert after["checksum"] != before["checksum"]
    moved = {
        name for name in before["columns"] if before["columns"][name] != after["columns"][name]
    }
    assert moved == ({column} if column else set())


def test_one_row_more_or_less_changes_the_checksum(con):
    before = _checksum(con)
    con.execute("insert into marts.t select * from marts.t where id = 1")  # a duplicate
    duplicated = _checksum(con)
    assert duplicated["rows"] == 4 and duplicated["checksum"] != before["checksum"]
    con.execute("delete from marts.t where id = 1")
    assert _checksum(con)["rows"] == 2 and _checksum(con)["checksum"] != before["checksum"]


def test_order_and_float_noise_do_not_change_it(con):
    before = _checksum(con)
    # the same rows in another order, with the columns in another order, and 0.1 + 0.2 written
    # as 0.3 (4 units in its last place away) and -0.0 as 0.0
    con.execute(
        "create table marts.u as select flag, stamped, on_day, price, "
        "case when id = 1 then 0.3::double when id = 3 then 0.0::double else amount end as amount, "
        "label, id "
        "from marts.t order by id desc"
    )
    assert mart_checksums.mart_checksum(con, "marts", "u") == before


def test_differences_name_the_mart_and_the_column(con):
    before = {"t": _checksum(con)}
    con.execute("update marts.t set price = 0.001 where id = 3")
    con.execute("alter table marts.t add column extra integer")
    assert mart_checksums.differences(before, {"t": _checksum(con), "new": before["t"]}) == [
        "new: built, not in the fixture",
        "t: row checksum differs; new columns: extra; values differ in: price",
    ]
