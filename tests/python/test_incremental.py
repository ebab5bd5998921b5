"""The incremental facts give exactly the rows of a full refresh, and a refresh is idempotent.

A small generated world (Parquet, through the `raw_path` switch) is built fully as it stood
before a replay of three load days (`raw_loaded_before`), then refreshed incrementally once per
day, as the scheduler does. The last day brings late reads and a re-bill; the supply-side changes
the small world has only a few times a year (a new version of an account, a supply link, a meter
point, a meter, a tariff; an account's inactive date passing) are planted on the replayed days,
so that every refresh trigger of docs/incremental.md ("Refresh triggers") fires at least once
(each trigger's query is below). Each incremental model (found from the manifest) must rebuild
rows on some replayed day (its delete+insert traced with energy_dw.fault_inject --trace), and
after the last day equal a full refresh row for row (EXCEPT both ways); the same refresh run
twice leaves no duplicate and the same content.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

DBT = Path(sys.executable).parent / "dbt"
SCALE = "0.0005"
REPLAY_DAYS = 3
# the triggers the small world has only a few times a year: planted on the replayed days
PLANTED = {
    "account_version", "account_inactive_date", "supply_link_version", "meter_point_version",
    "meter_version", "tariff_version",
}  # fmt: skip


def _dbt(
    args: list[str], db: Path, target_path: Path, variables: dict, trace: Path | None = None
) -> str:
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_PROFILES_DIR=str(ROOT))
    # with a trace file, dbt runs under energy_dw.fault_inject, which records each write
    runner = [sys.executable, "-m", "energy_dw.fault_inject", "--trace", str(trace), "--"]
    run = subprocess.run(
        [*(runner if trace else [str(DBT)]), *args, "--target", "ci"]
        + ["--target-path", str(target_path), "--vars", json.dumps(variables)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    return run.stdout


def _incremental_models(target_path: Path) -> list[tuple[str, str]]:
    manifest = json.loads((target_path / "manifest.json").read_text())
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    )


def _difference(con, left: str, right: str) -> int:
    (rows,) = con.execute(
        f"select count(*) from (select * from {left} except all select * from {right})"
    ).fetchone()
    return rows


LATE_READ_DAYS = """
    select distinct cast(meta_loaded_at as date) as load_day
    from read_parquet('{data}/soe_junifer_model.w_actual_meterreads.parquet')
    where Read_Date < cast(meta_loaded_at as date) - 2
"""
REBILL_DAYS = """
    select distinct cast(meta_effective_from_timestamp as date) as load_day
    from read_parquet('{data}/junifer_enriched.bill.parquet')
    where status = 'SUPERSEDED'
        and cast(created_dttm as date) < cast(meta_effective_from_timestamp as date)
"""


def _replay_days(data: Path) -> list[date]:
    """REPLAY_DAYS consecutive load days: the latest window whose last day brings late reads and a
    re-bill (an old bill SUPERSEDED) and in which every trigger the world makes by itself (all
    but the PLANTED ones) happens."""
    candidates = duckdb.execute(
        f"select load_day from ({LATE_READ_DAYS.format(data=data)} "
        f"intersect {REBILL_DAYS.format(data=data)}) order by load_day desc"
    ).fetchall()
    assert candidates, "the generated world has no day with late reads and a re-bill"
    queries = {k: q for k, q in triggers(data).items() if k not in PLANTED}
    for (last,) in candidates:
        days = [last - timedelta(days=REPLAY_DAYS - 1 - i) for i in range(REPLAY_DAYS)]
        fired = duckdb.execute(
            " intersect ".join(
                f"(select 1 from ({q}) where day between '{days[0]}' and '{last}')"
                for q in queries.values()
            )
        ).fetchall()
        if fired:
            return days
    raise AssertionError(f"no {REPLAY_DAYS}-day window of the world fires every trigger")


def _parquet(data: Path, table: str) -> str:
    return f"read_parquet('{data}/{table}.parquet')"


def _new_version(con, data: Path, table: str, key: str, at: str, where: str, **changes) -> None:
    """Plant a new SCD2 version of one row of `table` at `at`: the current version of the row
    with the lowest key among those matching `where` is closed at `at`, and a copy of it (with
    `changes`, column -> SQL expression) is current from `at` on."""
    path = data / f"{table}.parquet"
    current = "meta_effective_to_timestamp = timestamp '9999-01-01'"
    (chosen,) = con.execute(
        f"select min({key}) from {_parquet(data, table)} where {current} and ({where})"
    ).fetchone()
    assert chosen is not None, f"no row of {table} where {where}"
    columns = [
        r[0] for r in con.execute(f"describe select * from {_parquet(data, table)}").fetchall()
    ]
    new = {
        **{c: c for c in columns},
        **changes,
        "meta_effective_from_timestamp": f"timestamp '{at}'",
        "meta_effective_to_timestamp": "timestamp '9999-01-01'",
    }
    closed = ", ".join(
        f"timestamp '{at}' as {c}" if c == "meta_effective_to_timestamp" else c for c in columns
    )
    con.execute(
        f"""copy (
            select * from {_parquet(data, table)} where not ({key} = {chosen} and {current})
            union all
            select {closed} from {_parquet(data, table)} where {key} = {chosen} and {current}
            union all
            select {", ".join(f"{new[c]} as {c}" for c in columns)}
            from {_parquet(data, table)} where {key} = {chosen} and {current}
        ) to '{path}.new' (format parquet)"""
    )
    Path(f"{path}.new").replace(path)


def _plant_supply_changes(data: Path, days: list[date]) -> None:
    """The supply-side changes the small world has a few times a year, on the replayed days."""
    first, middle, last = days[0], days[len(days) // 2], days[-1]
    con = duckdb.connect()
    # an account's new version (closed: its inactive date is the last replayed day, 18:00)
    _new_version(
        con, data, "junifer_enriched.account", "id", f"{first} 10:00:00", "to_dttm is null",
        to_dttm=f"timestamp '{last} 18:00:00'",
    )  # fmt: skip
    _new_version(
        con, data, "junifer_enriched.account_meter_point", "id", f"{middle} 09:00:00",
        "to_dttm is null",
    )  # fmt: skip
    _new_version(con, data, "junifer_enriched.meter_point", "id", f"{middle} 11:00:00", "true")
    _new_version(
        con, data, "nova_be_assets_enriched.meter", "id", f"{last} 08:00:00", "removed_at is null"
    )
    _new_version(
        con, data, "junifer_enriched.account_tariff", "id", f"{last} 07:00:00", "to_dttm is null"
    )
    con.close()


def _later_versions(data: Path, table: str, key: str) -> str:
    return (
        "select cast(meta_effective_from_timestamp as date) as day from (select *, row_number()"
        f" over (partition by {key} order by meta_effective_from_timestamp) as n"
        f" from {_parquet(data, table)}) where n > 1"
    )


def triggers(data: Path) -> dict[str, str]:
    """Each refresh trigger of docs/incremental.md: the days it happens on in the raw data."""
    p = lambda table: _parquet(data, table)  # noqa: E731
    return {
        "late_read": f"select cast(meta_loaded_at as date) as day"
        f" from {p('soe_junifer_model.w_actual_meterreads')}"
        " where Read_Date < cast(meta_loaded_at as date) - 2",
        "rebill": f"select cast(meta_effective_from_timestamp as date) as day"
        f" from {p('junifer_enriched.bill')} where status = 'SUPERSEDED'"
        " and cast(created_dttm as date) < cast(meta_effective_from_timestamp as date)",
        "new_bill": f"select cast(created_dttm as date) as day from {p('junifer_enriched.bill')}",
        "bill_period_version": _later_versions(data, "junifer_enriched.bill_period", "id"),
        "meter_reading_version": _later_versions(
            data, "nova_be_assets_enriched.meter_reading", "id"
        ),
        "digital_journey": "select cast(meta_loaded_at as date) as day"
        f" from {p('soe_junifer_model.digital_journey_performance')}",
        "account_version": _later_versions(data, "junifer_enriched.account", "id"),
        "account_inactive_date": f"select cast(to_dttm as date) as day"
        f" from {p('junifer_enriched.account')} where to_dttm is not null",
        "supply_link_version": _later_versions(data, "junifer_enriched.account_meter_point", "id"),
        "meter_point_version": _later_versions(data, "junifer_enriched.meter_point", "id"),
        "meter_version": _later_versions(data, "nova_be_assets_enriched.meter", "id"),
        "tariff_version": f"select cast(meta_effective_from_timestamp as date) as day"
        f" from {p('junifer_enriched.account_tariff')}",
        "junifer_payment": f"select cast(meta_effective_from_timestamp as date) as day"
        f" from {p('junifer_enriched.payment')}",
        "payg_payment": f"select cast(paid_at as date) as day from {p('pulse.payment')}",
        "payg_first_payment": f"select cast(min(paid_at) as date) as day"
        f" from {p('pulse.payment')} group by account_id",
        "payg_account_version": _later_versions(data, "pulse.account", "account_id"),
        "payg_contract_version": _later_versions(data, "pulse.contract", "contract_id"),
        "payg_sale_order_fulfilled": f"select cast(fulfilled_at as date) as day"
        f" from {p('pulse.sale_order')} where fulfilled_at is not null",
        "payg_account_event": f"select cast(event_at as date) as day"
        f" from {p('pulse.account_event')}",
        "payg_notification": f"select cast(sent_at as date) as day from {p('pulse.notification')}",
    }


def _traced(path: Path) -> dict[str, int]:
    """Rows each model's writes reported in a trace file (model name -> sum)."""
    rows: dict[str, int] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        event = json.loads(line)
        name = event["node"].rsplit(".", 1)[-1]
        rows[name] = rows.get(name, 0) + (int(event["rows"]) if event["rows"].isdigit() else 0)
    return rows


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Builds: `inc` (full as of the last day, then incremental), `full` (full refresh)."""
    tmp = tmp_path_factory.mktemp("incremental")
    data = tmp / "raw"
    subprocess.run(
        [sys.executable, "-m", "energy_dw.generator", "--scale", SCALE, "--format", "parquet"]
        + ["--out", str(data), "--quiet"],
        check=True,
        cwd=ROOT,
    )
    days = _replay_days(data)
    day = days[-1]
    _plant_supply_changes(data, days)

    def loaded_before(moment: date) -> dict:
        return {"raw_path": str(data), "raw_loaded_before": f"{moment} 00:00:00"}

    before, everything = loaded_before(days[0]), loaded_before(day + timedelta(days=1))
    selection = ["--select", "+config.materialized:incremental"]
    target = tmp / "target"
    inc, full, twice = tmp / "inc.duckdb", tmp / "full.duckdb", tmp / "twice.duckdb"
    for db in (inc, full):  # the reference seeds (opco policy); raw seeds are off with raw_path
        _dbt(["seed"], db, target, before)
    _dbt(["run", "--full-refresh", *selection], inc, target, before)
    first = tmp / "first.duckdb"
    first.write_bytes(inc.read_bytes())
    rebuilt_rows = {}
    for replayed in days:  # one incremental run per load day, as the scheduler runs them
        trace = tmp / f"writes_{replayed}.jsonl"
        _dbt(["run", *selection], inc, target, loaded_before(replayed + timedelta(1)), trace)
        rebuilt_rows[replayed] = _traced(trace)
    twice.write_bytes(inc.read_bytes())
    _dbt(["run", *selection], twice, target, everything)
    _dbt(["run", "--full-refresh", *selection], full, target, everything)
    models = _incremental_models(target)
    con = duckdb.connect(str(inc))
    for name, path in (("rebuilt", full), ("twice", twice), ("first", first)):
        con.execute(f"attach '{path}' as {name} (read_only)")
    yield {
        "con": con, "models": models, "data": data, "day": day, "days": days,
        "target": target, "rebuilt_rows": rebuilt_rows,
    }  # fmt: skip
    con.close()


def _models_with_incremental_code(target_path: Path) -> set[str]:
    """Models whose SQL has an incremental branch or an incremental config macro."""
    manifest = json.loads((target_path / "manifest.json").read_text())
    markers = ("is_incremental()", "incremental_by_key(", "incremental_by_period(")
    return {
        node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and any(m in node["raw_code"] for m in markers)
    }


def _documented_incremental_models() -> set[str]:
    """The models of the table under "Which models, and how" in docs/incremental.md."""
    names = set()
    text = (ROOT / "docs" / "incremental.md").read_text()
    section = text.split("## Which models, and how", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 2 and cells[1].startswith("`"):
            names.add(cells[1].split("`")[1])
    return names


def test_every_model_with_incremental_code_is_incremental_and_compared(world):
    """The compared models come from the manifest; a model whose SQL has an incremental branch
    but was switched to another materialization (and would drop out of the comparison silently)
    fails here, and so does one the docs list as incremental."""
    compared = {name for _, name in world["models"]}
    coded = _models_with_incremental_code(world["target"])
    documented = _documented_incremental_models()
    assert coded, "no model with incremental code found in the manifest"
    assert coded - compared == set(), (
        f"incremental code, not materialized incremental: {coded - compared}"
    )
    assert documented - compared == set(), (
        f"documented incremental, not incremental: {documented - compared}"
    )
    assert compared - documented == set(), (
        f"incremental but missing from docs/incremental.md: {compared - documented}"
    )


def test_the_new_day_brings_late_rows_and_scd2_changes(world):
    """Checked on what was built, not on the queries that picked the day: the refresh shows the
    day's late reads in staging and adds them to old read dates of the daily fact (the build
    before the day had fewer), and the re-bill changes the bill kept for some period."""
    con, day = world["con"], world["day"]
    (late_staged,) = con.execute(
        "select count(*) from staging.stg_junifer__actual_meter_reads"
        " where cast(loaded_at as date) = ? and read_date < ? - 2",
        [day, day],
    ).fetchone()
    assert late_staged > 0, "no late read loaded on the replay day"
    old_reads = (
        "select coalesce(sum(reads), 0) from {db}marts.fct_operations_meter_reads_daily"
        " where read_date < ? - 2"
    )
    (after,) = con.execute(old_reads.format(db=""), [day]).fetchone()
    (before,) = con.execute(old_reads.format(db="first."), [day]).fetchone()
    assert after > before, "the late reads did not reach their old read dates"
    (rebilled,) = con.execute(
        "select count(*) from intermediate.int_bill_periods_billed as now"
        " inner join first.intermediate.int_bill_periods_billed as was using (bill_period_id)"
        " where now.bill_id is distinct from was.bill_id"
    ).fetchone()
    assert rebilled > 0, "the re-bill did not change the bill kept for any period"


def test_the_refresh_changed_rows_of_the_models_the_day_touches(world):
    """Per model, rows that differ between the build before the day and the refresh. The single
    replay day reaches the facts of reads, bills and bill periods (late reads, a re-bill): each of
    those must have changed, not just the total over all models."""
    con = world["con"]
    changed = {
        name: _difference(con, f"{schema}.{name}", f"first.{schema}.{name}")
        + _difference(con, f"first.{schema}.{name}", f"{schema}.{name}")
        for schema, name in world["models"]
    }
    touched = {
        "fct_operations_meter_reads_daily",
        "fct_metering_customer_consumption_monthly",
        "fct_operations_bills_daily",
        "int_bill_periods_billed",
    }
    unchanged = sorted(name for name in touched if changed.get(name, 0) == 0)
    assert not unchanged, f"the refresh did not change {unchanged}: {changed}"


def test_incremental_equals_full_refresh_row_for_row(world):
    con = world["con"]
    for schema, name in world["models"]:
        here, there = f"{schema}.{name}", f"rebuilt.{schema}.{name}"
        assert _difference(con, here, there) == 0, f"{name}: rows not in the full refresh"
        assert _difference(con, there, here) == 0, f"{name}: full-refresh rows missing"


def test_the_same_refresh_twice_changes_nothing(world):
    con = world["con"]
    for schema, name in world["models"]:
        here, there = f"{schema}.{name}", f"twice.{schema}.{name}"
        (rows, distinct) = con.execute(
            f"select count(*), (select count(*) from (select distinct * from {there})) from {there}"
        ).fetchone()
        assert rows == distinct, f"{name}: duplicate rows after a second refresh"
        assert _difference(con, here, there) == 0 and _difference(con, there, here) == 0, name


def _documented_triggers() -> list[str]:
    """The first column of the table under "Refresh triggers" in docs/incremental.md."""
    text = (ROOT / "docs" / "incremental.md").read_text()
    section = text.split("## Refresh triggers", 1)[1].split("\n## ", 1)[0]
    return [
        cells[1].split("`")[1]
        for cells in (line.split("|") for line in section.splitlines())
        if len(cells) > 2 and cells[1].strip().startswith("`")
    ]


def test_every_documented_refresh_trigger_fires_on_the_replayed_days(world):
    documented = _documented_triggers()
    queries = triggers(world["data"])
    assert documented, "docs/incremental.md has no 'Refresh triggers' table"
    assert set(documented) == set(queries), (
        f"documented but not replayed: {set(documented) - set(queries)}; "
        f"replayed but not documented: {set(queries) - set(documented)}"
    )
    first, last = world["days"][0], world["days"][-1]
    silent = []
    for name, query in queries.items():
        (fired,) = duckdb.execute(
            f"select count(*) from ({query}) where day between ? and ?", [first, last]
        ).fetchone()
        if fired == 0:
            silent.append(name)
    assert not silent, f"triggers that do not fire between {first} and {last}: {silent}"


def test_each_incremental_model_rebuilt_rows_on_a_replayed_day(world):
    """Found from the manifest: an incremental model whose refresh never rebuilds a row would
    pass the comparison with the full refresh by carrying its first build forward."""
    rebuilt = world["rebuilt_rows"]
    idle = [
        name
        for _, name in world["models"]
        if not any(rows.get(name, 0) > 0 for rows in rebuilt.values())
    ]
    assert not idle, f"incremental models that rebuilt no row on {list(rebuilt)}: {idle}: {rebuilt}"
