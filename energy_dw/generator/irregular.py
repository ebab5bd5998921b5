"""Bookkeeping of the planted irregularities (written to ``_manifest.json``)."""

from __future__ import annotations

import numpy as np

MAX_KEYS = 5_000

# name -> (target rate, denominator, how to find it)
TARGETS: dict[str, tuple[float, str, str]] = {
    "superseded_scd2_version": (
        0.03,
        "keys of the table",
        "keys with more than one version; customer: email change, meter: health change, "
        "smart_meter_bookings: rescheduled slot (5% of visited bookings), bill: re-bill "
        "(DRAFT, ACCEPTED then SUPERSEDED), pulse.account: shop change, pulse.contract: "
        "planted daily_rate correction",
    ),
    "late_arriving_read": (
        0.02,
        "IMPORT reads",
        "meta_loaded_at - Read_Date between 3 and 20 days (normally 1)",
    ),
    "meter_exchange": (
        0.03,
        "meter points",
        "two meters with the same mpxn; the old one INACTIVE with removed_at",
    ),
    "rebilled_period": (
        0.03,
        "billed periods",
        "a bill_period with a SUPERSEDED bill and a later ACCEPTED one",
    ),
    "export_register": (
        0.04,
        "ELEC meter points",
        "Register = 'EXPORT' rows (negative Consumption), EXPORT lines",
    ),
    "failed_booking": (0.15, "bookings", "aes_status = 'FAILED' (current version)"),
    "cancelled_booking": (0.20, "bookings", "aes_status = 'CANCELLED' (current version)"),
    "customer_moved_home": (
        0.05,
        "base customers",
        "a Nova customer with two billing accounts: the first account closed (to_dttm) at the "
        "move, a new account at another property, and a new customer on the old meter points",
    ),
    "frequent_faults": (0.02, "meters", "meters with 3 or more meter_fault rows"),
    "temporary_lapse": (
        0.01,
        "meter points",
        "IMPORT reads of one calendar month with Consumption 0 (keys: mpxn|month)",
    ),
    "dst_period_boundary": (
        0.02,
        "accounts",
        "bill_period from_dttm (and the previous to_dttm) at 01:00 on the account's first "
        "period start in the 35 days after a UK clock change (keys: bill_period_id)",
    ),
    "period_after_clock_change": (
        0.10,
        "accounts",
        "bill periods that start the day after a UK clock change (2024-10-28, 2025-03-31, "
        "2025-10-27, 2026-03-30): bill days 27, 28, 30, 31 (keys: bill_period_id)",
    ),
    "bill_day_not_first": (
        0.96,
        "accounts",
        "accounts whose bill day (the day of month of the supply start, the month's last day "
        "when shorter) is not the 1st: periods from bill day to the day before the next one "
        "(keys: account_id)",
    ),
    "bimonthly_billing": (
        0.20,
        "accounts",
        "accounts billed every two months: periods of 59-62 days (keys: account_id)",
    ),
    "quarterly_billing": (
        0.10,
        "accounts",
        "accounts billed every three months: periods of 89-92 days (keys: account_id)",
    ),
    "cadence_change": (
        0.03,
        "accounts",
        "open monthly accounts moved once to bimonthly billing (>= 3 monthly periods before, "
        ">= 3 bimonthly periods billed after; keys: account_id)",
    ),
    "day_night_register": (
        0.08,
        "ELEC meter points",
        "two-rate meters: Register DAY and NIGHT reads (each cumulative) instead of IMPORT, "
        "and two UNIT lines per bill (keys: mpxn)",
    ),
    "estimate_replaced_by_actual": (
        0.01,
        "billed periods",
        "an ESTIMATE read (underestimate) and a later-loaded actual read (SMART/CUSTOMER) for "
        "the same MPXN, MSN, Register and Read_Date, Consumption the difference; the period's "
        "bill on the estimate SUPERSEDED, the re-bill ACCEPTED (keys: mpxn|read_date)",
    ),
    "meter_exchange_mid_period": (
        0.03,
        "meter points",
        "a meter exchanged inside a bill period: reads of both MSNs of the MPXN in the period, "
        "summed on one UNIT line (keys: mpxn|bill_period_id)",
    ),
    "tariff_change": (
        0.10,
        "account meter points",
        "two account_tariff spells for one account and meter point: the first closed (to_dttm) at "
        "midnight of the switch day, the second from it, another tariff code of the same fuel; "
        "the account (account_id, from_dttm) unchanged (keys: account_id|meter_point_id)",
    ),
    "payg_returning_after_completion": (
        0.03,
        "installed PAYG accounts",
        "a sale_order ordered after the account's previous contracts all FINISHED PAID_OFF",
    ),
    "payg_pay_on_expiry_day": (
        0.05,
        "PAYG payments",
        "DATE(paid_at) = DATE(credit_until before the payment); planted accounts pay on the "
        "expiry day with probability 0.25, 20% of accounts are planted (keys: payment_id)",
    ),
}


class Irregularities:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], dict] = {}

    def add(self, name: str, table: str, keys, denominator: int) -> None:
        if name not in TARGETS:
            raise KeyError(name)
        keys = [str(k) for k in np.asarray(keys).tolist()]
        d = self.data.setdefault((name, table), {"count": 0, "denominator": 0, "keys": []})
        d["count"] += len(keys)
        d["denominator"] += int(denominator)
        room = MAX_KEYS - len(d["keys"])
        d["keys"].extend(keys[: max(room, 0)])

    def manifest(self) -> list[dict]:
        out = []
        for (name, table), d in sorted(self.data.items()):
            rate, denom, how = TARGETS[name]
            out.append(
                {
                    "name": name,
                    "table": table,
                    "target_rate": rate,
                    "rate_of": denom,
                    "how_to_find": how,
                    "count": d["count"],
                    "denominator": d["denominator"],
                    "actual_rate": round(d["count"] / d["denominator"], 5)
                    if d["denominator"]
                    else 0,
                    "keys_truncated": d["count"] > len(d["keys"]),
                    "keys": d["keys"],
                }
            )
        return out
