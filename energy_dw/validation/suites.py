"""The suites: one per mart, plus `source_to_staging` (the first hop of the reconciliation).

Bounds are documented here and in docs/validation.md. To point the validation at a new mart, add
a `Suite(name=...)` to SUITES with what dbt tests cannot say about it: its reconciliation with the
layer it reads, its foreign keys, its ranges and month-over-month bounds. A mart built into the
`marts` schema without an entry still gets the generic checks (not empty, rates in [0, 1]).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from energy_dw.validation.checks import (
    CountedOut,
    E,
    Hop,
    Suite,
    month_over_month,
    monthly_range,
    reconciliation,
    references,
)

OPEN_END = "timestamp '9999-01-01'"

STAGING_DIR = Path(__file__).resolve().parents[2] / "models" / "staging"
_SOURCE_CALL = re.compile(r"source\(\s*'([a-z_]+)'\s*,\s*'([a-z_]+)'\s*\)")
_CURRENT_ONLY = re.compile(r"where\s+\{\{\s*is_current_version\(\)\s*\}\}")


def staging_sources() -> list[tuple[str, str, str, str, bool]]:
    """(raw dataset, table, staging model, schema, SCD2) for every staging model, read from the
    project itself: the one `source()` each model selects from, whether it keeps only current
    versions (`where {{ is_current_version() }}`), and its schema (`restricted` when its yml
    says so)."""
    restricted = set()
    for models_yml in STAGING_DIR.glob("*/_*__models.yml"):
        for model in yaml.safe_load(models_yml.read_text())["models"]:
            if (model.get("config") or {}).get("schema") == "restricted":
                restricted.add(model["name"])
    out = []
    for sql_file in sorted(STAGING_DIR.glob("*/stg_*.sql")):
        sql = sql_file.read_text()
        found = _SOURCE_CALL.findall(sql)
        if len(found) != 1:
            continue  # every staging model reads exactly one source; skip anything else
        (dataset, table), model = found[0], sql_file.stem
        schema = "restricted" if model in restricted else "staging"
        out.append((dataset, table, model, schema, bool(_CURRENT_ONLY.search(sql))))
    return out


def scd2_keys() -> dict[tuple[str, str], str]:
    """(raw dataset, table) -> key column of every SCD2 source: the `key` of its
    `scd2_one_current_version` test in the sources yml."""
    keys = {}
    for sources_yml in STAGING_DIR.glob("*/_*__sources.yml"):
        for source in yaml.safe_load(sources_yml.read_text())["sources"]:
            for table in source.get("tables", []):
                for test in table.get("data_tests", []):
                    if isinstance(test, dict) and "scd2_one_current_version" in test:
                        args = test["scd2_one_current_version"]
                        key = (args.get("arguments") or args)["key"]
                        keys[(source["name"], table["name"])] = key
    return keys


def _count(relation: str, where: str = "") -> str:
    return f"select count(*) from {relation}" + (f" where {where}" if where else "")


def _sum(column: str, relation: str, where: str = "") -> str:
    return f"select sum({column}) from {relation}" + (f" where {where}" if where else "")


def _staging_hops() -> list[Hop]:
    """Raw -> staging, counted from the raw table itself, not through staging's filter: a model
    that keeps every row must have them all; a model that keeps current SCD2 versions gets every
    key of the source (all versions), minus the keys with no current version (deleted at the
    source: counted and named in every run), which must equal its row count. A deleted key is
    visible; a current key that staging loses (or a key twice) fails."""
    keys = scd2_keys()
    hops = []
    for dataset, table, model, schema, scd2 in staging_sources():
        raw = f"{{raw.{dataset}.{table}}}"
        staged = _count(f"{{{schema}.{model}}}")
        if not scd2:
            hops.append(Hop(f"{dataset}.{table} rows = {model}", _count(raw), staged))
            continue
        key = keys[(dataset, table)]
        deleted = (
            f"select {key} from {raw} group by {key} having sum(case when"
            f" meta_effective_to_timestamp = {OPEN_END} then 1 else 0 end) = 0"
        )
        hops.append(
            Hop(
                f"{dataset}.{table} keys (all versions) - deleted keys = {model}",
                f"select count(*) from (select {key} from {raw} group by {key}) as k",
                staged,
                (
                    CountedOut(
                        f"deleted {key}(s) (no current version)",
                        f"select count(*) from ({deleted}) as d",
                        f"{deleted} order by {key}",
                    ),
                ),
            )
        )
    return hops


STG = "{staging.%s}"
MART = "{marts.%s}"
AS_OF = "(select max(as_of_date) from {utilities.util_as_of_date})"
READS = STG % "stg_junifer__actual_meter_reads"


def _after_as_of(what: str, column: str, where: str) -> CountedOut:
    """The reads a mart leaves out because they are dated after the as-of date: counted (or their
    kWh summed) and named, so a future-dated read is seen, not silently kept or dropped."""
    after = f"{where} read_date > {AS_OF}".strip()
    value = _sum(column, READS, after) if column else _count(READS, after)
    return CountedOut(
        f"{what} dated after the as-of date",
        value,
        f"select actual_read_id, mpxn, register, read_date from {READS} where {after}"
        " order by read_date, actual_read_id",
    )


# Plausible daily consumption of one meter point, averaged over a month (kWh/day). A UK home uses
# ~7-8 kWh/day of electricity and ~30 kWh/day of gas on average (gas: ~8 in summer, ~80 in winter).
# Outside these bounds the month is implausible: a unit error (Wh vs kWh), a register rollover or
# a lost register.
MONTHLY_KWH_PER_DAY = {"ELEC": (3.0, 25.0), "GAS": (3.0, 150.0)}
# One service point and billing period (kWh/day): an export-dominated ELEC point may go negative.
INTERVAL_KWH_PER_DAY = {"ELEC": (-60.0, 100.0), "GAS": (0.0, 400.0)}
# Month-over-month jump bounds (ratio of a month's value to the previous month's):
# ELEC varies +-15% over a year, so +-50% month to month is a break; GAS swings with the season
# (Aug -> Sep almost doubles), so a factor 2.5 either way is the bound.
MOM_KWH_PER_READ = {"ELEC": (0.67, 1.5), "GAS": (0.4, 2.5)}
# Counts of customers, meters and accounts in a portfolio move slowly: +-25% per month (after the
# first months, where a small base makes any change a big ratio: min_base).
MOM_STOCK = (0.8, 1.25)


def _mom_fuel(mart: str, month: str, fuel: str) -> object:
    low, high = MOM_KWH_PER_READ[fuel]
    frame = month_over_month(
        f"kwh_per_read_{fuel.lower()}",
        f"select {month} as month, fuel_type as series, sum(consumption_kwh) as numerator,"
        f" sum(reads) as denominator from {MART % mart}"
        f" where fuel_type = '{fuel}' group by {month}, fuel_type",
        low=low,
        high=high,
        description=f"{fuel}: average import kWh per read, month over month, within "
        f"[{low}, {high}].",
    )
    return frame


def _stock_mom(label: str, mart: str, month: str, measure: str, min_base: float) -> object:
    low, high = MOM_STOCK
    return month_over_month(
        label,
        f"select {month} as month, sum({measure}) as value from {MART % mart} group by {month}",
        low=low,
        high=high,
        min_base=min_base,
        description=f"{label}: month over month within [{low}, {high}] once the base is "
        f">= {min_base}.",
    )


def _ge(a: str, b: str) -> object:
    return E.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=a, column_B=b, or_equal=True, description=f"{b} <= {a} (identity)."
    )


def _between(column: str, low=None, high=None, why: str = "", mostly: float = 1.0) -> object:
    return E.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, mostly=mostly, description=why
    )


SUITES: list[Suite] = [
    Suite(
        name="source_to_staging",
        layer="staging",
        is_mart=False,
        description="Raw -> staging: staging keeps every row, or every key with a current SCD2"
        " version (deleted keys counted out by name).",
        frames=[
            reconciliation(
                _staging_hops(),
                "raw rows = staging rows; raw keys (all versions) - deleted keys = staging rows",
            )
        ],
    ),
    # ---------------------------------------------------------------- metering
    Suite(
        name="dim_metering_customers",
        columns=("customer_id", "accounts_held"),
        expectations=[_between("accounts_held", 0, 20, "Accounts per customer plausible.")],
        frames=[
            reconciliation(
                [
                    (
                        "stg_nova__customers = dim_metering_customers",
                        _count(STG % "stg_nova__customers"),
                        _count(MART % "dim_metering_customers"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="dim_metering_meters",
        columns=("meter_id", "faults_total", "faults_last_90_days", "open_faults"),
        expectations=[
            _ge("faults_total", "faults_last_90_days"),
            _ge("faults_total", "open_faults"),
        ],
        frames=[
            reconciliation(
                [
                    (
                        "stg_nova__meters = dim_metering_meters",
                        _count(STG % "stg_nova__meters"),
                        _count(MART % "dim_metering_meters"),
                    ),
                    (
                        "stg_nova__meter_faults = sum(faults_total)",
                        _count(STG % "stg_nova__meter_faults"),
                        _sum("faults_total", MART % "dim_metering_meters"),
                    ),
                ]
            ),
            references(
                [
                    (
                        "dim_metering_meters.mpxn -> stg_junifer__meter_points",
                        MART % "dim_metering_meters",
                        "mpxn",
                        STG % "stg_junifer__meter_points" + ".mpxn",
                    )
                ]
            ),
        ],
    ),
    Suite(
        name="fct_metering_bills",
        columns=("gross_amount_gbp", "net_amount_gbp", "paid_amount_gbp"),
        expectations=[
            _ge("gross_amount_gbp", "net_amount_gbp"),
            _between("net_amount_gbp", -5000, 5000, "A monthly household bill within +-5000 GBP."),
            _between("paid_amount_gbp", 0, None, "Payments are not negative."),
        ],
        frames=[
            reconciliation(
                [
                    (
                        "bill periods with an ACCEPTED bill in staging = fct_metering_bills "
                        "(DRAFT/CANCELLED/SUPERSEDED bills and re-billed duplicates counted out)",
                        "select count(*) from (select bill_period_id from "
                        + STG % "stg_junifer__bills"
                        + " where bill_status = 'ACCEPTED' group by bill_period_id) as p",
                        _count(MART % "fct_metering_bills"),
                    ),
                    (
                        "staging bills = latest ACCEPTED + other ACCEPTED + non-ACCEPTED",
                        _count(STG % "stg_junifer__bills"),
                        "select (select count(*) from "
                        + MART % "fct_metering_bills"
                        + ") + (select count(*) from "
                        + STG % "stg_junifer__bills"
                        + " where bill_status <> 'ACCEPTED') + (select count(*) - count(distinct"
                        " bill_period_id) from "
                        + STG % "stg_junifer__bills"
                        + " where bill_status = 'ACCEPTED')",
                    ),
                ]
            ),
            references(
                [
                    (
                        "fct_metering_bills.bill_id -> stg_junifer__bills",
                        MART % "fct_metering_bills",
                        "bill_id",
                        STG % "stg_junifer__bills" + ".bill_id",
                    ),
                    (
                        "fct_metering_bills.customer_id -> dim_metering_customers",
                        MART % "fct_metering_bills",
                        "customer_id",
                        MART % "dim_metering_customers" + ".customer_id",
                    ),
                ]
            ),
        ],
    ),
    Suite(
        name="fct_metering_consumption_monthly",
        columns=("reads", "consumption_kwh", "export_kwh"),
        expectations=[
            _between("consumption_kwh", 0, None, "Import consumption is not negative."),
            _between("export_kwh", 0, None, "Export is reported as a positive quantity."),
        ],
        frames=[
            reconciliation(
                [
                    Hop(
                        "import kWh (every register but EXPORT) of every staging read"
                        " - kWh read after the as-of date = consumption_kwh",
                        _sum("consumption_kwh", READS, "register <> 'EXPORT'"),
                        _sum("consumption_kwh", MART % "fct_metering_consumption_monthly"),
                        (
                            _after_as_of(
                                "import kWh", "consumption_kwh", "register <> 'EXPORT' and"
                            ),
                        ),
                    ),
                    Hop(
                        "every staging read - reads after the as-of date = reads",
                        _count(READS),
                        _sum("reads", MART % "fct_metering_consumption_monthly"),
                        (_after_as_of("reads", "", ""),),
                    ),
                    Hop(
                        "reads of fct_operations_meter_reads_daily - reads after the as-of date"
                        " = reads",
                        _sum("reads", MART % "fct_operations_meter_reads_daily"),
                        _sum("reads", MART % "fct_metering_consumption_monthly"),
                        (
                            CountedOut(
                                "reads of days after the as-of date",
                                _sum(
                                    "reads",
                                    MART % "fct_operations_meter_reads_daily",
                                    f"read_date > {AS_OF}",
                                ),
                            ),
                        ),
                    ),
                ]
            ),
            _mom_fuel("fct_metering_consumption_monthly", "read_month", "ELEC"),
            _mom_fuel("fct_metering_consumption_monthly", "read_month", "GAS"),
        ],
    ),
    Suite(
        name="fct_metering_customer_consumption_monthly",
        columns=("consumption_kwh", "export_kwh", "reads"),
        expectations=[
            _between(
                "consumption_kwh",
                0,
                15000,
                "One customer's monthly import within [0, 15000] kWh (a large gas home in "
                "winter uses ~2500).",
            )
        ],
        frames=[
            reconciliation(
                [
                    (
                        "consumption_kwh = fct_metering_consumption_monthly",
                        _sum("consumption_kwh", MART % "fct_metering_consumption_monthly"),
                        _sum("consumption_kwh", MART % "fct_metering_customer_consumption_monthly"),
                    )
                ]
            ),
            references(
                [
                    (
                        "customer_id -> dim_metering_customers",
                        MART % "fct_metering_customer_consumption_monthly",
                        "customer_id",
                        MART % "dim_metering_customers" + ".customer_id",
                    )
                ]
            ),
        ],
    ),
    Suite(
        name="fct_metering_customer_feedback_monthly",
        columns=("average_satisfaction_score", "complaints_received", "complaints_resolved"),
        expectations=[_between("average_satisfaction_score", 1, 5, "Scores are 1 to 5.")],
        frames=[
            reconciliation(
                [
                    (
                        "stg survey responses = survey_responses",
                        _count(STG % "stg_customer_feedback__survey_responses"),
                        _sum("survey_responses", MART % "fct_metering_customer_feedback_monthly"),
                    ),
                    (
                        "stg complaints = complaints_received",
                        _count(STG % "stg_customer_feedback__complaints"),
                        _sum(
                            "complaints_received", MART % "fct_metering_customer_feedback_monthly"
                        ),
                    ),
                ]
            )
        ],
    ),
    Suite(
        name="fct_metering_customers_monthly",
        columns=("customers_in_supply", "new_customers", "customers_at_month_end"),
        expectations=[_ge("customers_in_supply", "new_customers")],
        frames=[
            _stock_mom(
                "customers_in_supply",
                "fct_metering_customers_monthly",
                "supply_month",
                "customers_in_supply",
                min_base=50,
            )
        ],
    ),
    Suite(
        name="fct_metering_meter_readings_monthly",
        columns=("readings", "processed_readings", "readings_with_latency"),
        expectations=[
            _ge("readings", "processed_readings"),
            _ge("readings", "readings_with_latency"),
        ],
        frames=[
            reconciliation(
                [
                    (
                        "stg_nova__meter_readings = readings",
                        _count(STG % "stg_nova__meter_readings"),
                        _sum("readings", MART % "fct_metering_meter_readings_monthly"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_metering_meters_monthly",
        columns=("meters_in_service", "meters_with_faults", "faults"),
        expectations=[_ge("faults", "meters_with_faults")],
        frames=[
            _stock_mom(
                "meters_in_service",
                "fct_metering_meters_monthly",
                "meter_month",
                "meters_in_service",
                50,
            )
        ],
    ),
    Suite(
        name="fct_metering_operations_monthly",
        columns=("installs", "installs_timed", "maintenance_requests_received"),
        expectations=[_ge("installs", "installs_timed")],
        frames=[
            reconciliation(
                [
                    (
                        "fct_operations_installs = installs",
                        _count(MART % "fct_operations_installs"),
                        _sum("installs", MART % "fct_metering_operations_monthly"),
                    ),
                    (
                        "fct_operations_maintenance_requests = maintenance_requests_received",
                        _count(MART % "fct_operations_maintenance_requests"),
                        _sum(
                            "maintenance_requests_received",
                            MART % "fct_metering_operations_monthly",
                        ),
                    ),
                ]
            )
        ],
    ),
    Suite(
        name="fct_metering_overview_monthly",
        columns=("customers_in_supply", "consumption_kwh", "revenue_gbp"),
        expectations=[_between("consumption_kwh", 0, None, "Import consumption is not negative.")],
        frames=[
            reconciliation(
                [
                    (
                        "consumption_kwh = fct_metering_consumption_monthly (to the as-of month)",
                        _sum("consumption_kwh", MART % "fct_metering_consumption_monthly"),
                        _sum("consumption_kwh", MART % "fct_metering_overview_monthly"),
                    ),
                    (
                        "revenue_gbp = fct_metering_revenue_monthly",
                        _sum("revenue_gbp", MART % "fct_metering_revenue_monthly"),
                        _sum("revenue_gbp", MART % "fct_metering_overview_monthly"),
                    ),
                ]
            )
        ],
    ),
    Suite(
        name="fct_metering_revenue_monthly",
        columns=("bills", "paid_bills", "part_paid_bills", "unpaid_bills", "revenue_gbp"),
        expectations=[_ge("bills", "paid_bills")],
        frames=[
            reconciliation(
                [
                    (
                        "fct_metering_bills = bills",
                        _count(MART % "fct_metering_bills"),
                        _sum("bills", MART % "fct_metering_revenue_monthly"),
                    ),
                    (
                        "sum(net_amount_gbp) of fct_metering_bills = revenue_gbp",
                        _sum("net_amount_gbp", MART % "fct_metering_bills"),
                        _sum("revenue_gbp", MART % "fct_metering_revenue_monthly"),
                    ),
                    (
                        "bills = paid + part paid + unpaid",
                        _sum("bills", MART % "fct_metering_revenue_monthly"),
                        "select sum(paid_bills + part_paid_bills + unpaid_bills) from "
                        + MART % "fct_metering_revenue_monthly",
                    ),
                ]
            ),
            month_over_month(
                "revenue",
                "select bill_month as month, sum(revenue_gbp) as value from "
                + MART % "fct_metering_revenue_monthly"
                + " group by bill_month",
                low=0.5,
                high=2.0,
                min_base=1000,
                description="Monthly revenue moves with the seasons, never by more than "
                "a factor 2.",
            ),
        ],
    ),
    # ---------------------------------------------------------------- operations
    Suite(
        name="dim_operations_technicians",
        frames=[
            reconciliation(
                [
                    (
                        "stg_field_ops__technicians = dim_operations_technicians",
                        _count(STG % "stg_field_ops__technicians"),
                        _count(MART % "dim_operations_technicians"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_bill_deliveries",
        columns=("delivery_accounts",),
        frames=[
            reconciliation(
                [
                    (
                        "stg_soe_operations__bill_deliveries = delivery_accounts",
                        _count(STG % "stg_soe_operations__bill_deliveries"),
                        _sum("delivery_accounts", MART % "fct_operations_bill_deliveries"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_bill_periods_daily",
        frames=[
            reconciliation(
                [
                    (
                        "stg_junifer__bill_periods = bill_periods",
                        _count(STG % "stg_junifer__bill_periods"),
                        _sum("bill_periods", MART % "fct_operations_bill_periods_daily"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_bills_daily",
        columns=("gross_amount_gbp", "net_amount_gbp"),
        frames=[
            reconciliation(
                [
                    (
                        "stg_junifer__bills = bills",
                        _count(STG % "stg_junifer__bills"),
                        _sum("bills", MART % "fct_operations_bills_daily"),
                    ),
                    (
                        "gross amount of stg_junifer__bills = gross_amount_gbp",
                        _sum("gross_amount_gbp", STG % "stg_junifer__bills"),
                        _sum("gross_amount_gbp", MART % "fct_operations_bills_daily"),
                    ),
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_booking_outcomes_daily",
        columns=("bookings",),
        frames=[
            reconciliation(
                [
                    (
                        "bookings with an outcome in staging = bookings",
                        _count(
                            STG % "stg_nova__smart_meter_bookings",
                            "aes_status in ('INSTALLED', 'FAILED', 'CANCELLED')",
                        ),
                        _sum("bookings", MART % "fct_operations_booking_outcomes_daily"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_bookings_daily",
        columns=("bookings", "installed_bookings", "failed_bookings", "cancelled_bookings"),
        expectations=[_ge("bookings", "installed_bookings")],
        frames=[
            reconciliation(
                [
                    (
                        "stg_nova__smart_meter_bookings = bookings",
                        _count(STG % "stg_nova__smart_meter_bookings"),
                        _sum("bookings", MART % "fct_operations_bookings_daily"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_digital_journeys_daily",
        columns=("attempts", "successes", "failures"),
        rate_bounds={"success_rate_pct": (0, 100)},
        expectations=[_ge("attempts", "successes"), _ge("attempts", "failures")],
        frames=[
            reconciliation(
                [
                    (
                        "stg_junifer__digital_journeys = attempts",
                        _count(STG % "stg_junifer__digital_journeys"),
                        _sum("attempts", MART % "fct_operations_digital_journeys_daily"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_installs",
        columns=("days_booking_to_install", "minutes_on_site"),
        expectations=[
            _between("days_booking_to_install", 0, 365, "Booking to install within a year."),
            _between("minutes_on_site", 0, 24 * 60, "On site for less than a day."),
        ],
        frames=[
            reconciliation(
                [
                    (
                        "bookings with installed_at in staging = fct_operations_installs",
                        _count(STG % "stg_nova__smart_meter_bookings", "installed_at is not null"),
                        _count(MART % "fct_operations_installs"),
                    )
                ]
            ),
            references(
                [
                    (
                        "technician_id -> dim_operations_technicians",
                        MART % "fct_operations_installs",
                        "technician_id",
                        MART % "dim_operations_technicians" + ".technician_id",
                    ),
                    (
                        "customer_id -> dim_metering_customers",
                        MART % "fct_operations_installs",
                        "customer_id",
                        MART % "dim_metering_customers" + ".customer_id",
                    ),
                ]
            ),
        ],
    ),
    Suite(
        name="fct_operations_maintenance_requests",
        columns=("hours_to_resolve",),
        expectations=[_between("hours_to_resolve", 0, 24 * 365, "Resolved within a year.")],
        frames=[
            reconciliation(
                [
                    (
                        "stg_field_ops__maintenance_requests = fct_operations_maintenance_requests",
                        _count(STG % "stg_field_ops__maintenance_requests"),
                        _count(MART % "fct_operations_maintenance_requests"),
                    )
                ]
            ),
            references(
                [
                    (
                        "meter_id -> dim_metering_meters",
                        MART % "fct_operations_maintenance_requests",
                        "meter_id",
                        MART % "dim_metering_meters" + ".meter_id",
                    ),
                    (
                        "technician_id -> dim_operations_technicians",
                        MART % "fct_operations_maintenance_requests",
                        "technician_id",
                        MART % "dim_operations_technicians" + ".technician_id",
                    ),
                ]
            ),
        ],
    ),
    Suite(
        name="fct_operations_meter_readings_daily",
        columns=("readings", "processed_readings"),
        expectations=[_ge("readings", "processed_readings")],
        frames=[
            reconciliation(
                [
                    (
                        "stg_nova__meter_readings = readings",
                        _count(STG % "stg_nova__meter_readings"),
                        _sum("readings", MART % "fct_operations_meter_readings_daily"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_meter_reads_daily",
        columns=("reads",),
        frames=[
            reconciliation(
                [
                    (
                        "stg_junifer__actual_meter_reads = reads",
                        _count(STG % "stg_junifer__actual_meter_reads"),
                        _sum("reads", MART % "fct_operations_meter_reads_daily"),
                    ),
                    (
                        "kWh of stg_junifer__actual_meter_reads = consumption_kwh",
                        _sum("consumption_kwh", STG % "stg_junifer__actual_meter_reads"),
                        _sum("consumption_kwh", MART % "fct_operations_meter_reads_daily"),
                    ),
                ]
            )
        ],
    ),
    Suite(
        name="fct_operations_technician_performance_monthly",
        columns=("install_visits", "installs_completed"),
        expectations=[_ge("install_visits", "installs_completed")],
        frames=[
            references(
                [
                    (
                        "technician_id -> dim_operations_technicians",
                        MART % "fct_operations_technician_performance_monthly",
                        "technician_id",
                        MART % "dim_operations_technicians" + ".technician_id",
                    )
                ]
            )
        ],
    ),
    # ---------------------------------------------------------------- usage (Opower)
    Suite(
        name="fct_opower_usage_feed",
        columns=(
            "duration",
            *(
                f"case when fuel = '{fuel}' then usage_value / duration end"
                f" as {fuel.lower()}_kwh_per_day"
                for fuel in INTERVAL_KWH_PER_DAY
            ),
        ),
        expectations=[
            _between(
                "duration",
                1,
                105,
                "A billing period lasts 1 to 105 days (the quarterly cycle's longest; off-cycle"
                " lengths within it are the feed's off_cycle_period warning).",
            ),
            *(
                _between(
                    f"{fuel.lower()}_kwh_per_day",
                    low,
                    high,
                    f"{fuel}: kWh/day of one service point over a billing period within "
                    f"[{low}, {high}] (net-metered ELEC may go below 0).",
                )
                for fuel, (low, high) in INTERVAL_KWH_PER_DAY.items()
            ),
        ],
        frames=[
            monthly_range(
                "monthly_kwh_per_day",
                "select date_to as month, fuel as series, sum(usage_value) as numerator,"
                " sum(duration) as denominator from "
                + MART % "fct_opower_usage_feed"
                + " group by date_to, fuel",
                MONTHLY_KWH_PER_DAY,
                "average kWh/day per service point in a month",
            ),
            reconciliation(
                [
                    (
                        "billed periods of fct_metering_bills = bill periods in the feed",
                        _count(MART % "fct_metering_bills"),
                        "select count(*) from (select bill_period_id from "
                        + MART % "fct_opower_usage_feed"
                        + " group by bill_period_id) as p",
                    ),
                ]
            ),
            references(
                [
                    (
                        "bill_period_id -> stg_junifer__bill_periods",
                        MART % "fct_opower_usage_feed",
                        "bill_period_id",
                        STG % "stg_junifer__bill_periods" + ".bill_period_id",
                    ),
                    (
                        "service_point_id -> stg_junifer__meter_points",
                        MART % "fct_opower_usage_feed",
                        "service_point_id",
                        STG % "stg_junifer__meter_points" + ".mpxn",
                    ),
                ]
            ),
        ],
    ),
    Suite(
        name="fct_opower_feed_exceptions",
        frames=[
            references(
                [
                    (
                        "usage_interval_id -> fct_opower_usage_feed",
                        MART % "fct_opower_feed_exceptions",
                        "usage_interval_id",
                        MART % "fct_opower_usage_feed" + ".usage_interval_id",
                    )
                ]
            ),
            reconciliation(
                [
                    (
                        "feed rows with a rule break = distinct intervals in exceptions",
                        _count(MART % "fct_opower_usage_feed", "has_rule_break"),
                        "select count(*) from (select usage_interval_id from "
                        + MART % "fct_opower_feed_exceptions"
                        + " where usage_interval_id is not null group by usage_interval_id) as i",
                    )
                ]
            ),
        ],
    ),
    # ---------------------------------------------------------------- portfolio (PAYG)
    Suite(
        name="dim_portfolio_accounts",
        columns=("days_expired", "downpayment_amount"),
        expectations=[
            _between("days_expired", 0, 3650, "Days expired within ten years."),
            _between("downpayment_amount", 0, None, "Downpayments are not negative."),
        ],
        frames=[
            reconciliation(
                [
                    (
                        "stg_pulse__accounts = dim_portfolio_accounts",
                        _count(STG % "stg_pulse__accounts"),
                        _count(MART % "dim_portfolio_accounts"),
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_portfolio_account_monthly",
        columns=("days_expired", "outstanding_balance", "amount_paid_in_month"),
        expectations=[
            _between("days_expired", 0, 3650, "Days expired within ten years."),
            _between("amount_paid_in_month", 0, None, "Payments are not negative."),
        ],
        frames=[
            references(
                [
                    (
                        "account_id -> dim_portfolio_accounts",
                        MART % "fct_portfolio_account_monthly",
                        "account_id",
                        MART % "dim_portfolio_accounts" + ".account_id",
                    )
                ]
            ),
            reconciliation(
                [
                    (
                        "accounts with a sale order in staging = accounts in the monthly fact",
                        "select count(*) from (select account_id from "
                        + STG % "stg_pulse__sale_orders"
                        + " group by account_id) as a",
                        "select count(*) from (select account_id from "
                        + MART % "fct_portfolio_account_monthly"
                        + " group by account_id) as a",
                    )
                ]
            ),
        ],
    ),
    Suite(
        name="fct_portfolio_monthly",
        columns=(
            "account_months",
            "contracted_portfolio_size",
            "active_portfolio_size",
            "defaulters",
        ),
        rate_bounds={
            # a change in defaulters (or in net completions) over a base: may be negative
            "default_rate": (-1, 1),
            "net_completion_rate": (-1, 1),
            "net_completion_rate_30_days": (-1, 1),
            # collected / due: a customer paying ahead collects more than is due
            "collection_rate": (0, None),
        },
        expectations=[
            _ge("contracted_portfolio_size", "active_portfolio_size"),
            _ge("contracted_portfolio_size", "defaulters"),
        ],
        frames=[
            reconciliation(
                [
                    (
                        "rows of fct_portfolio_account_monthly = account_months",
                        _count(MART % "fct_portfolio_account_monthly"),
                        _sum("account_months", MART % "fct_portfolio_monthly"),
                    )
                ]
            ),
            _stock_mom(
                "contracted_portfolio",
                "fct_portfolio_monthly",
                "activity_month",
                "contracted_portfolio_size",
                min_base=300,
            ),
        ],
    ),
    Suite(
        name="fct_portfolio_notifications",
        frames=[
            reconciliation(
                [
                    (
                        "stg_pulse__notifications = fct_portfolio_notifications",
                        _count(STG % "stg_pulse__notifications"),
                        _count(MART % "fct_portfolio_notifications"),
                    )
                ]
            ),
            references(
                [
                    (
                        "account_id -> dim_portfolio_accounts",
                        MART % "fct_portfolio_notifications",
                        "account_id",
                        MART % "dim_portfolio_accounts" + ".account_id",
                    )
                ]
            ),
        ],
    ),
    Suite(
        name="fct_portfolio_default_cohorts",
        columns=("cohort_size", "churned_accounts", "defaulted_accounts", "accounts_not_churned"),
        expectations=[
            _ge("cohort_size", "churned_accounts"),
            _ge("accounts_not_churned", "defaulted_accounts"),
        ],
        frames=[
            reconciliation(
                [
                    (
                        "installed accounts of the monthly fact = cohort sizes at month 0",
                        "select count(*) from (select account_id from "
                        + MART % "fct_portfolio_account_monthly"
                        + " where installation_month is not null group by account_id) as a",
                        "select sum(cohort_size) from (select cohort_month, opco,"
                        " max(cohort_size) as cohort_size from "
                        + MART % "fct_portfolio_default_cohorts"
                        + " group by cohort_month, opco) as c",
                    )
                ]
            )
        ],
    ),
    Suite(
        name="fct_portfolio_churn_cohorts",
        columns=("cohort_size", "churned_accounts"),
        expectations=[_ge("cohort_size", "churned_accounts")],
    ),
]
