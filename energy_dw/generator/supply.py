"""The UK supply world, generated one block of customers at a time (vectorised numpy)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import values as V
from .common import (
    AS_OF,
    AS_OF_END,
    DAY,
    HISTORY_START,
    MONTHS,
    NAT,
    SCD2_OPEN,
    Tables,
    chain_versions,
    choice,
    day_to_ts,
    days,
    month_index,
    rand_ts,
    scramble,
    secs,
    zfill_ids,
)
from .irregular import Irregularities

HOUR = 3600
D_NE = "nova_be_customers_enriched"
D_NA = "nova_be_assets_enriched"
D_JM = "soe_junifer_model"
D_JE = "junifer_enriched"

# Rates of the supply world (documented in docs/generator.md).
P_MOVE = 0.05
P_GAS = 0.55
P_PRE_EXISTING = 0.85
P_EXCHANGE = 0.03
P_NET_METERED = 0.04
P_LATE_READ = 0.02
P_REBILL = 0.03
P_CANCELLED_BILL = 0.005
P_DST = 0.02  # share of accounts with one bill-period boundary at 01:00
P_LAPSE = 0.01  # share of meter points with one zero-consumption bill period
P_EXTRA_VERSION = 0.03
# UK clock changes inside the history (01:00 UTC): a planted DST boundary is the first period
# start of an account in the 35 days after one of them
CLOCK_CHANGES = np.array(["2024-10-27", "2025-03-30", "2025-10-26", "2026-03-29"], "datetime64[D]")
# Real billing (issue 14): bill day = the supply start's day of month, cadence in months
CADENCES = [1, 2, 3]
P_CADENCE = [0.70, 0.20, 0.10]  # monthly, bimonthly, quarterly accounts
P_CADENCE_CHANGE = 0.03  # accounts moved once from monthly to bimonthly billing
P_DAY_NIGHT = 0.08  # ELEC points with a two-rate meter: DAY and NIGHT import registers
P_EST_REPLACED = 0.01  # billed periods re-billed after an estimated read was replaced


class Counters:
    """Running id offsets so that ids are globally unique over blocks."""

    BASES = {"billing_account": 10_000_000, "booking": 500_000, "journey": 0}

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, name: str, n: int) -> np.ndarray:
        start = self.next.get(name, self.BASES.get(name, 0) + 1)
        self.next[name] = start + n
        return np.arange(start, start + n, dtype=np.int64)


def _pick(rng, options: list, size: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), size)]


def _at_hours(rng, d, lo_h, hi_h) -> np.ndarray:
    """A timestamp on date(s) d between lo_h and hi_h o'clock."""
    d = np.asarray(d, dtype="datetime64[D]")
    return day_to_ts(d) + secs(rng.uniform(lo_h, hi_h, d.shape) * HOUR)


def _group_cumsum(values: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each True of group_start (values sorted by group)."""
    cs = np.cumsum(values)
    idx = np.flatnonzero(group_start)
    base = np.zeros_like(cs)
    starts_cs = cs[idx] - values[idx]
    seg = np.cumsum(group_start) - 1
    base = starts_cs[seg]
    return cs - base


def _pick_share(rng, eligible: np.ndarray, rate: float, denominator: int) -> np.ndarray:
    """Sorted indices of ~rate x denominator eligible items, at least one (rare planted cases
    then exist in every block, so the small committed seeds always hold them)."""
    cand = np.flatnonzero(eligible)
    k = min(len(cand), max(1, rng.binomial(denominator, rate)))
    return np.sort(rng.choice(cand, k, replace=False))


def _month_int(d) -> np.ndarray:
    return np.asarray(d).astype("datetime64[M]").astype(np.int64)


def _day_of_month(d) -> np.ndarray:
    d = np.asarray(d, dtype="datetime64[D]")
    return (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def _anchor(month: np.ndarray, bill_day: np.ndarray) -> np.ndarray:
    """The bill day of month(s) `month` (months since 1970): day `bill_day`, or the month's last."""
    start = np.asarray(month).astype("datetime64[M]").astype("datetime64[D]")
    dim = ((np.asarray(month) + 1).astype("datetime64[M]").astype("datetime64[D]") - start).astype(
        np.int64
    )
    return start + days(np.minimum(bill_day, dim) - 1)


def _first_boundary(from_day: np.ndarray, bill_day: np.ndarray, cadence: np.ndarray):
    """First bill day on or after max(service start, history start), in the cadence's phase."""
    lo = np.maximum(from_day, HISTORY_START)
    m_start = _month_int(from_day)
    k = -(-np.maximum(_month_int(lo) - m_start, 0) // cadence)
    month = m_start + k * cadence
    month = np.where(_anchor(month, bill_day) < lo, month + cadence, month)
    return month, _anchor(month, bill_day)


def _bill_periods(acc_from_day, acc_to_day, bill_day, cadence, change_month):
    """Contiguous bill periods per account from its bill days (vectorised).

    Boundaries are the bill days of the months in the cadence's phase (months since the supply
    start divisible by the cadence; from `change_month` on, every second month from it), from the
    first one on or after max(service start, history start); a closing account's last period ends
    at its end. An open account's last period is the current one (it contains the as-of day).
    Returns (period account, from day, to day, cadence of the period in months).
    """
    n_acc = len(acc_from_day)
    first_m, first_day = _first_boundary(acc_from_day, bill_day, cadence)
    closing = ~np.isnat(acc_to_day)
    last_m = np.where(closing, _month_int(acc_to_day), _month_int(AS_OF) + 4)
    cnt = np.maximum(last_m - first_m + 1, 0)
    c_acc = np.repeat(np.arange(n_acc), cnt)
    c_m = first_m[c_acc] + (np.arange(len(c_acc)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    m_start = _month_int(acc_from_day)[c_acc]
    before = c_m < change_month[c_acc]
    is_b = np.where(
        before, (c_m - m_start) % cadence[c_acc] == 0, (c_m - change_month[c_acc]) % 2 == 0
    )
    c_day = _anchor(c_m, bill_day[c_acc])
    keep = is_b & (c_day >= first_day[c_acc])
    keep &= ~closing[c_acc] | (c_day < acc_to_day[c_acc])
    b_acc, b_day = c_acc[keep], c_day[keep]
    # open accounts: the boundaries up to the as-of day and the first one after it
    after = b_day > AS_OF
    prev_after = np.r_[False, after[:-1]] & np.r_[False, b_acc[1:] == b_acc[:-1]]
    keep = ~after | ~prev_after
    b_acc, b_day = b_acc[keep], b_day[keep]
    # closing accounts: their end is the last boundary
    cl = np.flatnonzero(closing)
    b_acc = np.concatenate([b_acc, cl])
    b_day = np.concatenate([b_day, acc_to_day[cl]])
    order = np.lexsort((b_day, b_acc))
    b_acc, b_day = b_acc[order], b_day[order]
    pair = np.flatnonzero(b_acc[1:] == b_acc[:-1])
    p_acc = b_acc[pair]
    p_from, p_to = b_day[pair], b_day[pair + 1]
    p_cad = np.where(_month_int(p_from) < change_month[p_acc], cadence[p_acc], 2)
    return p_acc, p_from, p_to, p_cad


def supply_block(
    rng: np.random.Generator,
    n: int,
    ctr: Counters,
    rates: dict,
    technicians: dict,
    irr: Irregularities,
) -> Tables:
    T = Tables()

    # ------------------------------------------------------------------ people & places
    eligible_start = rng.random(n) < P_PRE_EXISTING
    start_day = np.where(
        eligible_start,
        rand_ts(rng, np.datetime64("2019-01-01"), np.datetime64("2024-05-01"), n),
        rand_ts(rng, np.datetime64("2024-05-02"), np.datetime64("2026-10-01"), n),
    ).astype("datetime64[D]")
    # billing cadence of the base accounts (bill day: the day of month of the supply start)
    base_cadence = np.asarray(CADENCES)[rng.choice(3, n, p=P_CADENCE)]
    _, base_first_bill = _first_boundary(start_day, _day_of_month(start_day), base_cadence)
    # movers: customers whose account started at least 60 days before the move, and who had a
    # bill day in the history before it
    latest_move = np.datetime64("2026-10-20", "D")
    earliest = np.maximum(start_day + days(60), np.datetime64("2024-06-01", "D"))
    earliest = np.maximum(earliest, base_first_bill + days(40))
    can_move = earliest < latest_move - days(5)
    is_mover = can_move & (rng.random(n) < P_MOVE / max(can_move.mean(), 1e-9))
    mover_idx = np.flatnonzero(is_mover)
    m = len(mover_idx)
    move_day = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    span = (latest_move - earliest[mover_idx]).astype(np.int64)
    move_day[mover_idx] = earliest[mover_idx] + days((rng.random(m) * span).astype(np.int64))

    n_prop = n + m
    prop_id = ctr.take("property", n_prop)
    region = _pick(rng, V.REGIONS, n_prop)
    town_k = rng.integers(0, 4, n_prop)
    town = np.array([V.TOWNS[r][k][0] for r, k in zip(region, town_k, strict=True)], dtype=object)
    area = np.array([V.TOWNS[r][k][1] for r, k in zip(region, town_k, strict=True)], dtype=object)
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    postcode = (
        area.astype(str)
        + rng.integers(1, 30, n_prop).astype(str)
        + " "
        + rng.integers(1, 10, n_prop).astype(str)
        + letters[rng.integers(0, 20, n_prop)]
        + letters[rng.integers(0, 20, n_prop)]
    )
    address = rng.integers(1, 240, n_prop).astype(str) + " " + _pick(rng, V.STREETS, n_prop)
    T.add(
        D_JE,
        "property",
        id=prop_id,
        address_line_1=address.astype(object),
        town=town,
        postcode=postcode.astype(object),
        region=region,
        meta_effective_from_timestamp=np.datetime64("2019-01-01T00:00:00"),
        meta_effective_to_timestamp=SCD2_OPEN,
    )

    # meter points: one ELEC per property, GAS for ~55%
    has_gas = rng.random(n_prop) < P_GAS
    prop_elec = np.arange(n_prop)
    gas_props = np.flatnonzero(has_gas)
    prop_gas = np.full(n_prop, -1)
    prop_gas[gas_props] = n_prop + np.arange(len(gas_props))
    n_mp = n_prop + len(gas_props)
    mp_prop = np.concatenate([np.arange(n_prop), gas_props])
    mp_fuel = np.array(["ELEC"] * n_prop + ["GAS"] * len(gas_props), dtype=object)
    is_elec = mp_fuel == "ELEC"
    mp_id = ctr.take("meter_point", n_mp)
    mpxn = np.where(
        is_elec,
        np.char.add("1", np.char.zfill(scramble(mp_id, 10**12).astype(str), 12)),
        np.char.add("7", np.char.zfill(scramble(mp_id, 10**9).astype(str), 9)),
    ).astype(object)
    T.add(
        D_JE,
        "meter_point",
        id=mp_id,
        mpxn=mpxn,
        fuel_type=mp_fuel,
        property_id=prop_id[mp_prop],
        meta_effective_from_timestamp=np.datetime64("2019-01-01T00:00:00"),
        meta_effective_to_timestamp=SCD2_OPEN,
    )

    # accounts: base (one per base property), mover's new account (at B), incoming (at A)
    n_acc = n + 2 * m
    acc_prop = np.concatenate([np.arange(n), n + np.arange(m), mover_idx])
    acc_from_day = np.concatenate([start_day, move_day[mover_idx], move_day[mover_idx]])
    acc_to_day = np.concatenate([move_day, np.full(2 * m, np.datetime64("NaT"), "datetime64[D]")])
    n_cust = n + m
    acc_cust = np.concatenate([np.arange(n), mover_idx, n + np.arange(m)])
    acc_kind = np.array(["base"] * n + ["moved_in_B"] * m + ["incoming_A"] * m, dtype=object)
    acc_from = day_to_ts(acc_from_day)
    acc_to = day_to_ts(acc_to_day)
    acc_id = ctr.take("account", n_acc)
    acc_number = zfill_ids("A-", acc_id, 8)
    ba_id = ctr.take("billing_account", n_acc)
    # the account on a property at instant t: base props switch at the move
    prop_move = np.full(n_prop, np.datetime64("NaT"), "datetime64[s]")
    prop_move[mover_idx] = day_to_ts(move_day[mover_idx])
    prop_acc_before = np.concatenate([np.arange(n), n + np.arange(m)])
    prop_acc_after = np.full(n_prop, -1)
    prop_acc_after[mover_idx] = n + m + np.arange(m)
    prop_supply_start = np.concatenate([day_to_ts(start_day), day_to_ts(move_day[mover_idx])])

    def acc_at(prop, t):
        prop = np.asarray(prop)
        after = (prop_acc_after[prop] >= 0) & (t >= prop_move[prop])
        return np.where(after, prop_acc_after[prop], prop_acc_before[prop])

    # billing: bill day = the supply start's day of month; cadence per account; ~3% of the open
    # monthly accounts move once to bimonthly billing (>= 3 monthly periods before the change
    # month, >= 8 months of history after it, so both cycles are established in the history)
    acc_bill_day = _day_of_month(acc_from_day)
    acc_cadence = np.concatenate(
        [base_cadence, np.asarray(CADENCES)[rng.choice(3, 2 * m, p=P_CADENCE)]]
    )
    acc_first_m, acc_first_bill = _first_boundary(acc_from_day, acc_bill_day, acc_cadence)
    ch_lo = acc_first_m + 3
    ch_hi = _month_int(AS_OF) - 8
    can_change = (acc_cadence == 1) & np.isnat(acc_to_day) & (ch_lo < ch_hi)
    changes = can_change & (rng.random(n_acc) < P_CADENCE_CHANGE / max(can_change.mean(), 1e-9))
    acc_change_m = np.full(n_acc, 10**6, np.int64)
    ch = np.flatnonzero(changes)
    acc_change_m[ch] = ch_lo[ch] + (rng.random(len(ch)) * (ch_hi - ch_lo[ch])).astype(np.int64)
    # the first bill day of a property's first account: its reads and bills start there
    prop_first_bill = acc_first_bill[prop_acc_before]

    # customers
    cust_id = ctr.take("customer", n_cust)
    cust_created = np.empty(n_cust, "datetime64[s]")
    cust_created[:n] = acc_from[:n] - secs(rng.uniform(1, 20, n) * 86400)
    cust_created[n:] = acc_from[n + m :] - secs(rng.uniform(3, 30, m) * 86400)
    first = _pick(rng, V.FIRST_NAMES, n_cust)
    last = _pick(rng, V.LAST_NAMES, n_cust)
    email = (
        np.char.lower(first.astype(str))
        + "."
        + np.char.lower(last.astype(str))
        + cust_id.astype(str)
        + "@"
        + _pick(rng, V.EMAIL_DOMAINS, n_cust).astype(str)
    )
    phone = np.char.add("07", np.char.zfill(scramble(cust_id, 10**9).astype(str), 9))
    # planted superseded versions: an email change
    extra = np.flatnonzero(rng.random(n_cust) < P_EXTRA_VERSION)
    change_at = rand_ts(
        rng, np.maximum(cust_created[extra], day_to_ts(HISTORY_START)), AS_OF_END, len(extra)
    )
    email_old = np.char.add("old.", email[extra])
    c_keys = np.concatenate([np.arange(n_cust), extra])
    c_from = np.concatenate([cust_created, change_at])
    c_email = np.concatenate([email, email[extra]]).astype(object)
    c_email_v1 = c_email.copy()
    c_email_v1[extra] = email_old
    order = np.lexsort((c_from, c_keys))
    c_keys, c_from, c_email_v1 = c_keys[order], c_from[order], c_email_v1[order]
    T.add(
        D_NE,
        "customer",
        id=cust_id[c_keys],
        first_name=first[c_keys],
        last_name=last[c_keys],
        email=c_email_v1,
        phone=phone[c_keys].astype(object),
        created_at=cust_created[c_keys],
        meta_effective_from_timestamp=c_from,
        meta_effective_to_timestamp=chain_versions(c_keys, c_from),
    )
    irr.add("superseded_scd2_version", f"{D_NE}.customer", cust_id[extra], n_cust)

    ba_created = np.where(
        np.arange(n_acc) < n,
        cust_created[acc_cust] + secs(rng.uniform(60, 3600, n_acc)),
        acc_from - secs(rng.uniform(3, 30, n_acc) * 86400),
    )
    ba_created = np.maximum(ba_created, cust_created[acc_cust] + secs(60))
    T.add(
        D_NE,
        "billing_account",
        id=ba_id,
        customer_id=cust_id[acc_cust],
        account_number=acc_number,
        created_at=ba_created,
        meta_effective_from_timestamp=ba_created,
        meta_effective_to_timestamp=SCD2_OPEN,
    )

    # ------------------------------------------------------------------ meters
    supply_start_ts = prop_supply_start[mp_prop]
    smart_p = {"ELEC": [0.45, 0.15, 0.40], "GAS": [0.40, 0.10, 0.50]}
    m_type = np.where(
        is_elec,
        choice(rng, V.METER_TYPES, smart_p["ELEC"], n_mp),
        choice(rng, V.METER_TYPES, smart_p["GAS"], n_mp),
    )
    hi = np.minimum(supply_start_ts, day_to_ts(HISTORY_START)) - secs(30 * 86400)
    m_installed = rand_ts(rng, np.datetime64("2012-01-01"), hi, n_mp)
    data_start = prop_first_bill[mp_prop]
    exch = rng.random(n_mp) < P_EXCHANGE
    lo_e = data_start + days(30)
    hi_e = AS_OF - days(10)
    exch &= lo_e < hi_e
    e_idx = np.flatnonzero(exch)
    e_day = lo_e[e_idx] + days(rng.random(len(e_idx)) * (hi_e - lo_e[e_idx]).astype(np.int64))
    e_ts = _at_hours(rng, e_day, 9, 17)
    n_meter = n_mp + len(e_idx)
    meter_id = ctr.take("meter", n_meter)
    meter_mp = np.concatenate([np.arange(n_mp), e_idx])
    meter_type = np.concatenate([m_type, np.full(len(e_idx), "SMETS2", dtype=object)])
    meter_inst = np.concatenate([m_installed, e_ts])
    meter_removed = np.full(n_meter, NAT)
    meter_removed[e_idx] = e_ts
    health = choice(rng, V.HEALTH_STATUSES, [0.7, 0.2, 0.1], n_meter)
    letter = np.select([meter_type == "SMETS2", meter_type == "SMETS1"], ["S", "K"], "T")
    yy = np.char.zfill((meter_inst.astype("datetime64[Y]").astype(int) % 100).astype(str), 2)
    msn = (
        letter.astype(str)
        + yy
        + np.where(is_elec[meter_mp], "E", "G")
        + np.char.zfill(scramble(meter_id, 10**7).astype(str), 7)
    ).astype(object)
    new_meter_of_mp = np.full(n_mp, -1)
    new_meter_of_mp[e_idx] = n_mp + np.arange(len(e_idx))
    # meter versions: ACTIVE [installed, removed), INACTIVE [removed, inf); planted health change
    hc = np.flatnonzero((rng.random(n_meter) < P_EXTRA_VERSION) & np.isnat(meter_removed))
    hc_at = rand_ts(rng, np.maximum(meter_inst[hc], day_to_ts(HISTORY_START)), AS_OF_END, len(hc))
    v_key = np.concatenate([np.arange(n_meter), e_idx, hc])
    v_from = np.concatenate([meter_inst, e_ts, hc_at])
    v_status = np.concatenate(
        [
            np.full(n_meter, "ACTIVE", object),
            np.full(len(e_idx), "INACTIVE", object),
            np.full(len(hc), "ACTIVE", object),
        ]
    )
    v_removed = np.concatenate([np.full(n_meter, NAT), e_ts, np.full(len(hc), NAT)])
    v_health = np.concatenate([health, health[e_idx], health[hc]]).astype(object)
    old_health = np.where(health[hc] == "Good", "Fair", "Good")
    v_health[:n_meter][hc] = old_health  # the version before the change had another health
    order = np.lexsort((v_from, v_key))
    v_key, v_from, v_status, v_removed, v_health = (
        a[order] for a in (v_key, v_from, v_status, v_removed, v_health)
    )
    T.add(
        D_NA,
        "meter",
        id=meter_id[v_key],
        msn=msn[v_key],
        mpxn=mpxn[meter_mp[v_key]],
        fuel_type=mp_fuel[meter_mp[v_key]],
        meter_type=meter_type[v_key],
        status=v_status,
        health_status=v_health,
        installed_at=meter_inst[v_key],
        removed_at=v_removed,
        meta_effective_from_timestamp=v_from,
        meta_effective_to_timestamp=chain_versions(v_key, v_from),
    )
    irr.add("meter_exchange", f"{D_NA}.meter", mpxn[e_idx], n_mp)
    irr.add("superseded_scd2_version", f"{D_NA}.meter", meter_id[hc], n_meter)

    # ------------------------------------------------------------------ accounts & links
    # reads and bills are needed first to know when the final bill was accepted
    # ------------------------------------------------------------------ bill periods
    # per-account bill days and cadences (see _bill_periods); UTC midnight boundaries
    p_acc, p_from_d, p_to_d, p_cad = _bill_periods(
        acc_from_day, acc_to_day, acc_bill_day, acc_cadence, acc_change_m
    )
    n_p = len(p_acc)
    a_lo = np.maximum(acc_from, day_to_ts(HISTORY_START))
    a_hi = np.where(np.isnat(acc_to), AS_OF_END, acc_to - secs(1))
    p_from = day_to_ts(p_from_d)
    p_to = day_to_ts(p_to_d)
    first_of_acc = np.r_[True, p_acc[1:] != p_acc[:-1]] if n_p else np.zeros(0, bool)
    since_change = (p_from_d[:, None] - CLOCK_CHANGES[None, :]).astype(np.int64)
    # planted: the first boundary of an account in the 35 days after a clock change at 01:00
    # on both sides (still contiguous)
    cand = np.flatnonzero(((since_change >= 1) & (since_change <= 35)).any(axis=1) & ~first_of_acc)
    # ~P_DST of the accounts, at least one per block (so the seeds always hold the case)
    has_cand = np.zeros(n_acc, bool)
    has_cand[p_acc[cand]] = True
    acc_pick = np.zeros(n_acc, bool)
    acc_pick[_pick_share(rng, has_cand, P_DST, n_acc)] = True
    cand = cand[acc_pick[p_acc[cand]]]
    _, first_c = np.unique(p_acc[cand], return_index=True)
    dst_p = cand[first_c]
    p_from[dst_p] += secs(HOUR)
    p_to[dst_p - 1] += secs(HOUR)
    p_id = ctr.take("bill_period", n_p)
    irr.add("dst_period_boundary", f"{D_JE}.bill_period", p_id[dst_p], n_acc)
    day_after = np.flatnonzero((since_change == 1).any(axis=1))
    irr.add("period_after_clock_change", f"{D_JE}.bill_period", p_id[day_after], n_acc)
    irr.add("bill_day_not_first", f"{D_JE}.bill_period", acc_id[acc_bill_day != 1], n_acc)
    irr.add("bimonthly_billing", f"{D_JE}.bill_period", acc_id[acc_cadence == 2], n_acc)
    irr.add("quarterly_billing", f"{D_JE}.bill_period", acc_id[acc_cadence == 3], n_acc)
    irr.add("cadence_change", f"{D_JE}.bill_period", acc_id[ch], n_acc)

    # bill runs
    b_created = _at_hours(rng, p_to.astype("datetime64[D]") + days(rng.integers(1, 6, n_p)), 6, 20)
    slow = rng.random(n_p) < 0.10
    b_accept = b_created + secs(
        np.where(slow, rng.uniform(2, 35, n_p) * 86400, rng.uniform(1, 30, n_p) * HOUR)
    )
    has_bill = b_created <= AS_OF_END
    accepted = b_accept <= AS_OF_END
    # cancelled drafts: the first bill is cancelled and a replacement issued
    cancel = accepted & (rng.random(n_p) < P_CANCELLED_BILL)
    c_at = b_created + secs(rng.uniform(1, 6, n_p) * HOUR)
    r_created = c_at + secs(rng.uniform(1, 3, n_p) * 86400)
    r_accept = r_created + secs(rng.uniform(1, 24, n_p) * HOUR)
    cancel &= r_accept <= AS_OF_END
    s_at = b_accept + secs(rng.uniform(5, 40, n_p) * 86400)
    s_accept = s_at + secs(rng.uniform(1, 24, n_p) * HOUR)
    can_rebill = accepted & ~cancel & (s_accept <= AS_OF_END)
    rebill = can_rebill & (rng.random(n_p) < P_REBILL)

    # ------------------------------------------------------------------ reads
    last_read = AS_OF - days(1)
    first_read = data_start + days(rng.integers(0, 7, n_mp))
    n_reads = np.maximum(((last_read - first_read).astype(np.int64) // 7) + 1, 0)
    r_mp = np.repeat(np.arange(n_mp), n_reads)
    k = np.arange(len(r_mp)) - np.repeat(np.cumsum(n_reads) - n_reads, n_reads)
    r_day = first_read[r_mp] + days(7 * k)
    e_day_of_mp = np.full(n_mp, np.datetime64("NaT"), "datetime64[D]")
    e_day_of_mp[e_idx] = e_day
    r_new = (new_meter_of_mp[r_mp] >= 0) & (r_day > e_day_of_mp[r_mp])
    r_meter = np.where(r_new, new_meter_of_mp[r_mp], r_mp)
    grp_start = np.ones(len(r_mp), bool)
    grp_start[1:] = r_meter[1:] != r_meter[:-1]
    gap = np.full(len(r_mp), 7, np.int64)
    first_of_stream = grp_start.copy()
    # first read of a stream: since the supply start (acquisitions), the exchange, or 7 days
    start_gap = np.where(
        r_new,
        (r_day - e_day_of_mp[r_mp]).astype(np.int64),
        np.minimum((r_day - supply_start_ts[r_mp].astype("datetime64[D]")).astype(np.int64), 7),
    )
    gap[first_of_stream] = start_gap[first_of_stream]
    doy = (
        (r_day - days(gap // 2)).astype("datetime64[D]")
        - r_day.astype("datetime64[Y]").astype("datetime64[D]")
    ).astype(np.int64)
    base_rate = np.where(is_elec, rng.uniform(6.5, 11.5, n_mp), rng.uniform(20, 40, n_mp))
    amp = np.where(is_elec[r_mp], 0.15, 0.75)
    season = 1 + amp * np.cos(2 * np.pi * (doy - 15) / 365.25)
    noise = rng.lognormal(0, 0.15, len(r_mp))
    cons_m = np.rint(gap * base_rate[r_mp] * season * noise * 1000).astype(np.int64)
    # planted temporary lapse: one whole calendar month of zero consumption
    r_month = month_index(r_day)
    mo_hi = month_index(AS_OF) - 1
    lapse_mp = _pick_share(rng, month_index(data_start) + 1 < mo_hi, P_LAPSE, n_mp)
    mo_lo = month_index(data_start[lapse_mp]) + 1
    lapse_month = mo_lo + (rng.random(len(lapse_mp)) * (mo_hi - mo_lo)).astype(np.int64)
    mp_lapse_month = np.full(n_mp, -1)
    mp_lapse_month[lapse_mp] = lapse_month
    in_lapse = r_month == mp_lapse_month[r_mp]
    cons_m[in_lapse] = 0
    # two-rate meters: the consumption split into a DAY and a NIGHT register, each cumulative
    dn = is_elec & (rng.random(n_mp) < P_DAY_NIGHT)
    r_dn = dn[r_mp]
    night_share = rng.uniform(0.3, 0.45, n_mp)
    night_m = np.where(r_dn, np.rint(cons_m * night_share[r_mp]), 0).astype(np.int64)
    main_m = cons_m - night_m  # the IMPORT register, or DAY on a two-rate meter
    init = np.where(r_new, 0, rng.integers(1_000, 60_000, n_meter)[r_meter] * 1000)
    reading_m = init + _group_cumsum(main_m, grp_start)
    night_init = np.where(r_new, 0, rng.integers(500, 30_000, n_meter)[r_meter] * 1000)
    night_read = night_init[r_dn] + _group_cumsum(night_m[r_dn], grp_start[r_dn])
    r_acc = acc_at(mp_prop[r_mp], day_to_ts(r_day))
    # the account's bill period of each read (by calendar day; periods are sorted by account)
    big = np.int64(1 << 20)
    p_key = p_acc.astype(np.int64) * big + p_from_d.astype(np.int64)
    r_key = r_acc.astype(np.int64) * big + r_day.astype(np.int64)
    r_per = np.searchsorted(p_key, r_key, "right") - 1
    bad = (r_per < 0) | (p_acc[r_per] != r_acc) | (r_day >= p_to_d[r_per])
    if bad.any():
        raise AssertionError(f"{int(bad.sum())} reads outside their account's bill periods")
    smart = np.isin(meter_type[r_meter], ["SMETS2", "SMETS1"])
    src = np.where(
        smart,
        choice(rng, ["SMART", "ESTIMATE"], [0.95, 0.05], len(r_mp)),
        choice(rng, ["CUSTOMER", "ESTIMATE", "INDUSTRY"], [0.45, 0.35, 0.2], len(r_mp)),
    )
    status = np.where(src == "ESTIMATE", "ESTIMATED", "VALID").astype(object)
    loaded = day_to_ts(r_day + DAY) + secs(rng.uniform(1, 7, len(r_mp)) * HOUR)
    late = (rng.random(len(r_mp)) < P_LATE_READ) & (r_day <= AS_OF - days(21))
    loaded[late] = day_to_ts(r_day[late] + days(rng.integers(3, 21, late.sum()))) + secs(
        rng.uniform(1, 7, late.sum()) * HOUR
    )
    # planted: an ESTIMATE read (an underestimate) billed, then the actual read for the same
    # date loaded 1-3 days before the re-bill: its Consumption is the difference, so the reads
    # of the register still sum to its advance; the estimated bill SUPERSEDED, the re-bill ACCEPTED
    est_ok = (src == "ESTIMATE") & ~late & ~r_dn & (cons_m > 1000) & can_rebill[r_per]
    est_ok &= ~rebill[r_per]
    est_c = np.flatnonzero(est_ok)
    est_per, first_e = np.unique(r_per[est_c], return_index=True)
    est_c = est_c[first_e]
    p_est = P_EST_REPLACED * accepted.sum() / max(len(est_c), 1)
    est_r = est_c[rng.random(len(est_c)) < p_est]
    est_p = r_per[est_r]
    rebill[est_p] = True
    is_est_p = np.zeros(n_p, bool)
    is_est_p[est_p] = True
    corr_m = cons_m[est_r] - np.rint(cons_m[est_r] * rng.uniform(0.6, 0.95, len(est_r))).astype(
        np.int64
    )
    est_read = reading_m[est_r] - corr_m
    est_cons = main_m[est_r] - corr_m
    corr_loaded = s_at[est_p] - secs(rng.uniform(1, 3, len(est_r)) * 86400)
    main_reading = reading_m.copy()
    main_reading[est_r] = est_read
    main_cons = main_m.copy()
    main_cons[est_r] = est_cons
    # export register for net-metered elec points
    net = is_elec & (rng.random(n_mp) < P_NET_METERED)
    ex = net[r_mp]
    ex_rate = rng.uniform(2, 6, n_mp)
    ex_season = 1 + 0.6 * np.cos(2 * np.pi * (doy[ex] - 172) / 365.25)
    ex_m = np.rint(
        gap[ex] * ex_rate[r_mp[ex]] * ex_season * rng.lognormal(0, 0.2, ex.sum()) * 1000
    ).astype(np.int64)
    ex_m[in_lapse[ex]] = 0
    ex_start = grp_start[ex]
    ex_read = np.where(
        r_new[ex], 0, rng.integers(0, 5_000, n_meter)[r_meter[ex]] * 1000
    ) + _group_cumsum(ex_m, ex_start)
    n_r, n_dn, n_ex, n_est = len(r_mp), int(r_dn.sum()), int(ex.sum()), len(est_r)
    rows = np.concatenate(
        [np.arange(n_r), np.flatnonzero(r_dn), np.flatnonzero(ex), est_r]
    )  # the read each row is of
    actual_src = np.where(smart[est_r], "SMART", "CUSTOMER").astype(object)
    reads = {
        "Account_Number": acc_number[r_acc[rows]],
        "MPXN": mpxn[r_mp[rows]],
        "MSN": msn[r_meter[rows]],
        "Register": np.concatenate(
            [
                np.where(r_dn, "DAY", "IMPORT").astype(object),
                np.full(n_dn, "NIGHT", object),
                np.full(n_ex, "EXPORT", object),
                np.full(n_est, "IMPORT", object),
            ]
        ),
        "Read_Date": r_day[rows],
        "Read_Source": np.concatenate([src, src[r_dn], src[ex], actual_src]).astype(object),
        "Reading": np.concatenate([main_reading, night_read, ex_read, reading_m[est_r]]) / 1000.0,
        "Consumption": np.concatenate([main_cons, night_m[r_dn], -ex_m, corr_m]) / 1000.0,
        "Status": np.concatenate(
            [status, status[r_dn], status[ex], np.full(n_est, "VALID", object)]
        ),
        "meta_loaded_at": np.concatenate([loaded, loaded[r_dn], loaded[ex], corr_loaded]),
    }
    T.add(D_JM, "w_actual_meterreads", **reads)
    irr.add(
        "late_arriving_read",
        f"{D_JM}.w_actual_meterreads",
        np.char.add(np.char.add(mpxn[r_mp[late]].astype(str), "|"), r_day[late].astype(str)),
        len(r_mp),
    )
    irr.add("export_register", f"{D_JM}.w_actual_meterreads", mpxn[net], int(is_elec.sum()))
    irr.add("day_night_register", f"{D_JM}.w_actual_meterreads", mpxn[dn], int(is_elec.sum()))
    irr.add(
        "estimate_replaced_by_actual",
        f"{D_JM}.w_actual_meterreads",
        np.char.add(np.char.add(mpxn[r_mp[est_r]].astype(str), "|"), r_day[est_r].astype(str)),
        int(accepted.sum()),
    )
    # meter exchanged inside a bill period: reads of both meters in the period (keys mpxn|period)
    xr = np.flatnonzero(new_meter_of_mp[r_mp] >= 0)
    xkey = r_per[xr].astype(np.int64) * n_mp + r_mp[xr]
    pairs = np.unique(np.stack([xkey, r_meter[xr].astype(np.int64)]), axis=1)
    xk, xc = np.unique(pairs[0], return_counts=True)
    xk = xk[xc == 2]
    irr.add(
        "meter_exchange_mid_period",
        f"{D_JM}.w_actual_meterreads",
        np.char.add(np.char.add(mpxn[xk % n_mp].astype(str), "|"), p_id[xk // n_mp].astype(str)),
        n_mp,
    )

    # Nova meter readings: a sample of the reads, PENDING/IN_REVIEW then processed
    p_nova = np.select([src == "CUSTOMER", src == "SMART"], [0.075, 0.015], 0.025)
    nv = np.flatnonzero((rng.random(len(r_mp)) < p_nova) & (src != "INDUSTRY"))
    nv_n = len(nv)
    nv_id = ctr.take("meter_reading", nv_n)
    nv_src = np.select(
        [src[nv] == "CUSTOMER", src[nv] == "SMART"], ["customer", "smart"], "estimate"
    ).astype(object)
    taken = _at_hours(rng, r_day[nv], 7, 21)
    delay = np.select(
        [nv_src == "customer", nv_src == "smart"],
        [rng.uniform(60, 3600, nv_n), rng.uniform(1, 12, nv_n) * HOUR],
        rng.uniform(0.2, 2, nv_n) * 86400,
    )
    created = np.minimum(taken + secs(delay), AS_OF_END)
    processed = created + secs(rng.uniform(1, 72, nv_n) * HOUR)
    done = processed <= AS_OF_END
    valid = rng.random(nv_n) < 0.9
    k1 = np.arange(nv_n)
    k2 = np.flatnonzero(done)
    keys = np.concatenate([k1, k2])
    vfrom = np.concatenate([created, processed[k2]])
    vst = np.concatenate(
        [np.full(nv_n, "PENDING", object), np.where(valid[k2], "VALID", "INVALID").astype(object)]
    )
    vwf = np.concatenate(
        [
            np.full(nv_n, "IN_REVIEW", object),
            np.where(valid[k2], "PROCESSED", "REJECTED").astype(object),
        ]
    )
    vsub = np.concatenate([np.zeros(nv_n, bool), np.ones(len(k2), bool)])
    order = np.lexsort((vfrom, keys))
    keys, vfrom, vst, vwf, vsub = (a[order] for a in (keys, vfrom, vst, vwf, vsub))
    T.add(
        D_NA,
        "meter_reading",
        id=nv_id[keys],
        meter_id=meter_id[r_meter[nv]][keys],
        source=nv_src[keys],
        status=vst,
        workflow_status=vwf,
        reading_dttm=taken[keys],
        consumption=cons_m[nv][keys] / 1000.0,
        submission_processed=vsub,
        created_at=created[keys],
        meta_effective_from_timestamp=vfrom,
        meta_effective_to_timestamp=chain_versions(keys, vfrom),
    )

    period_billed_at = np.where(cancel, r_accept, b_accept)
    p_status_final = np.where(accepted, "BILLED", "OPEN")
    pk = np.concatenate([np.arange(n_p), np.flatnonzero(accepted)])
    pf = np.concatenate([p_from, period_billed_at[accepted]])
    ps = np.concatenate([np.full(n_p, "OPEN", object), p_status_final[accepted].astype(object)])
    order = np.lexsort((pf, pk))
    pk, pf, ps = pk[order], pf[order], ps[order]
    T.add(
        D_JE,
        "bill_period",
        id=p_id[pk],
        account_id=acc_id[p_acc[pk]],
        from_dttm=p_from[pk],
        to_dttm=p_to[pk],
        status_code=ps,
        meta_effective_from_timestamp=pf,
        meta_effective_to_timestamp=chain_versions(pk, pf),
    )

    # bill entities: first bill of each period that has one, replacements, re-bills
    first_b = np.flatnonzero(has_bill)
    repl = np.flatnonzero(cancel)
    reb = np.flatnonzero(rebill)
    b_period = np.concatenate([first_b, repl, reb])
    nb = len(b_period)
    b_kind = np.concatenate(
        [
            np.where(
                cancel[first_b], "cancelled", np.where(rebill[first_b], "superseded", "normal")
            ),
            np.full(len(repl), "normal", object),
            np.full(len(reb), "normal", object),
        ]
    ).astype(object)
    bc = np.concatenate([b_created[first_b], r_created[repl], s_at[reb]])
    ba_ = np.concatenate([b_accept[first_b], r_accept[repl], s_accept[reb]])
    b_end = np.concatenate(
        [
            np.where(cancel[first_b], c_at[first_b], s_at[first_b]),
            np.full(len(repl) + len(reb), NAT),
        ]
    )
    order = np.lexsort((bc, b_period))
    b_period, b_kind, bc, ba_, b_end = (a[order] for a in (b_period, b_kind, bc, ba_, b_end))
    b_id = ctr.take("bill", nb)
    b_is_rebilled = b_kind == "superseded"
    # a re-bill corrects the quantities (x0.75..1.3), or an estimate replaced by the actual read
    off = b_is_rebilled & ~is_est_p[b_period]
    b_factor = np.where(off, rng.choice([0.75, 0.85, 1.15, 1.3], nb), 1.0)
    b_due = ba_ + secs(14 * 86400)
    irr.add("rebilled_period", f"{D_JE}.bill", p_id[reb], int(accepted.sum()))

    # bill lines
    b_acc = p_acc[b_period]
    b_prop = acc_prop[b_acc]
    period_days = (
        p_to[b_period].astype("datetime64[D]") - p_from[b_period].astype("datetime64[D]")
    ).astype(np.int64)
    # consumption per (bill period, meter point) and register, from the reads of the period
    key_r = r_per.astype(np.int64) * n_mp + r_mp
    agg_main = pd.Series(main_m).groupby(key_r).sum()  # IMPORT or DAY, actual reads
    agg_night = pd.Series(night_m[r_dn]).groupby(key_r[r_dn]).sum()
    agg_ex = pd.Series(ex_m).groupby(key_r[ex]).sum()
    agg_corr = pd.Series(corr_m).groupby(key_r[est_r]).sum()
    # the bill on the estimate (superseded) misses the correction of the actual read
    b_on_estimate = b_is_rebilled & is_est_p[b_period]

    def lookup(agg, keys):
        idx = agg.index.to_numpy()
        val = agg.to_numpy()
        if not len(idx):
            return np.zeros(len(keys), np.int64)
        pos = np.searchsorted(idx, keys).clip(max=len(idx) - 1)
        return np.where(idx[pos] == keys, val[pos], 0)

    line_bill, line_mp, line_type, line_q, line_amt = [], [], [], [], []
    for fuel, mp_of_prop in (("ELEC", prop_elec), ("GAS", prop_gas)):
        mpb = mp_of_prop[b_prop]
        sel = np.flatnonzero(mpb >= 0)
        keys = b_period[sel].astype(np.int64) * n_mp + mpb[sel]
        q = lookup(agg_main, keys) - np.where(b_on_estimate[sel], lookup(agg_corr, keys), 0)
        q = np.rint(q * b_factor[sel]).astype(np.int64)
        rate = np.where(dn[mpb[sel]], V.DAY_NIGHT_RATE["DAY"], V.UNIT_RATE[fuel])
        line_bill += [sel, sel]
        line_mp += [mpb[sel], mpb[sel]]
        line_type += [np.full(len(sel), "UNIT", object), np.full(len(sel), "STANDING", object)]
        line_q += [q / 1000.0, np.full(len(sel), np.nan)]
        line_amt += [
            np.rint(q / 1000.0 * rate * 100),
            np.rint(period_days[sel] * V.STANDING_RATE[fuel] * 100),
        ]
        if fuel == "ELEC":
            # two-rate meters: a second UNIT line for the NIGHT register
            s3 = dn[mpb[sel]]
            q3 = np.rint(lookup(agg_night, keys[s3]) * b_factor[sel[s3]]).astype(np.int64)
            line_bill.append(sel[s3])
            line_mp.append(mpb[sel[s3]])
            line_type.append(np.full(int(s3.sum()), "UNIT", object))
            line_q.append(q3 / 1000.0)
            line_amt.append(np.rint(q3 / 1000.0 * V.DAY_NIGHT_RATE["NIGHT"] * 100))
            s2 = net[mpb[sel]]
            q2 = lookup(agg_ex, keys[s2])
            line_bill.append(sel[s2])
            line_mp.append(mpb[sel[s2]])
            line_type.append(np.full(int(s2.sum()), "EXPORT", object))
            line_q.append(-q2 / 1000.0)
            line_amt.append(-np.rint(q2 / 1000.0 * V.EXPORT_RATE * 100))
    adj = np.flatnonzero(rng.random(nb) < 0.02)
    line_bill.append(adj)
    line_mp.append(np.full(len(adj), -1))
    line_type.append(np.full(len(adj), "ADJUSTMENT", object))
    line_q.append(np.full(len(adj), np.nan))
    line_amt.append(np.rint(rng.choice([-1, 1], len(adj)) * rng.uniform(5, 30, len(adj)) * 100))
    lb = np.concatenate(line_bill)
    lamt = np.concatenate(line_amt).astype(np.int64)
    pre_vat = np.bincount(lb, weights=lamt, minlength=nb).astype(np.int64)
    vat = np.rint(np.maximum(pre_vat, 0) * V.VAT_RATE).astype(np.int64)
    lb = np.concatenate([lb, np.arange(nb)])
    lmp = np.concatenate(line_mp + [np.full(nb, -1)])
    ltype = np.concatenate(line_type + [np.full(nb, "VAT", object)])
    lq = np.concatenate(line_q + [np.full(nb, np.nan)])
    lamt = np.concatenate([lamt, vat])
    gross = pre_vat + vat
    order = np.argsort(lb, kind="stable")
    lb, lmp, ltype, lq, lamt = (a[order] for a in (lb, lmp, ltype, lq, lamt))
    l_mpxn = np.where(lmp >= 0, mpxn[np.maximum(lmp, 0)], None).astype(object)
    T.add(
        D_JE,
        "bill_line",
        id=ctr.take("bill_line", len(lb)),
        bill_id=b_id[lb],
        mpxn=l_mpxn,
        charge_type=ltype,
        quantity_kwh=lq,
        amount=lamt / 100.0,
        meta_effective_from_timestamp=bc[lb],
        meta_effective_to_timestamp=SCD2_OPEN,
    )

    # bill versions
    is_acc = ba_ <= AS_OF_END
    vk, vf, vs = [np.arange(nb)], [bc], [np.full(nb, "DRAFT", object)]
    nc = b_kind != "cancelled"
    sel = np.flatnonzero(nc & is_acc)
    vk.append(sel)
    vf.append(ba_[sel])
    vs.append(np.full(len(sel), "ACCEPTED", object))
    sel = np.flatnonzero(b_kind == "cancelled")
    vk.append(sel)
    vf.append(b_end[sel])
    vs.append(np.full(len(sel), "CANCELLED", object))
    sel = np.flatnonzero(b_is_rebilled)
    vk.append(sel)
    vf.append(b_end[sel])
    vs.append(np.full(len(sel), "SUPERSEDED", object))
    vk, vf, vs = np.concatenate(vk), np.concatenate(vf), np.concatenate(vs)
    order = np.lexsort((vf, vk))
    vk, vf, vs = vk[order], vf[order], vs[order]
    T.add(
        D_JE,
        "bill",
        id=b_id[vk],
        account_id=acc_id[b_acc[vk]],
        bill_period_id=p_id[b_period[vk]],
        created_dttm=bc[vk],
        gross_amount=gross[vk] / 100.0,
        net_amount=(gross[vk] - vat[vk]) / 100.0,
        status=vs,
        due_dttm=b_due[vk],
        meta_effective_from_timestamp=vf,
        meta_effective_to_timestamp=chain_versions(vk, vf),
    )
    irr.add("superseded_scd2_version", f"{D_JE}.bill", b_id[b_is_rebilled], nb)

    # ------------------------------------------------------------------ accounts (SCD2)
    # an account's to_dttm is written once its final bill is accepted
    final_at = np.full(n_acc, NAT)
    last_p = np.flatnonzero(np.r_[p_acc[1:] != p_acc[:-1], True]) if n_p else np.array([], int)
    fin_acc = p_acc[last_p]
    fin_ok = ~np.isnat(acc_to[fin_acc]) & accepted[last_p]
    final_at[fin_acc[fin_ok]] = period_billed_at[last_p[fin_ok]]
    closed_acc = np.flatnonzero(~np.isnat(final_at))
    ak = np.concatenate([np.arange(n_acc), closed_acc])
    af = np.concatenate([ba_created, final_at[closed_acc]])
    ato = np.concatenate([np.full(n_acc, NAT), acc_to[closed_acc]])
    order = np.lexsort((af, ak))
    ak, af, ato = ak[order], af[order], ato[order]
    T.add(
        D_JE,
        "account",
        id=acc_id[ak],
        account_number=acc_number[ak],
        customer_id=cust_id[acc_cust[ak]],
        from_dttm=acc_from[ak],
        to_dttm=ato,
        meta_effective_from_timestamp=af,
        meta_effective_to_timestamp=chain_versions(ak, af),
    )
    # account_meter_point: every meter point of the account's property
    l_acc, l_mp = [], []
    for mp_of_prop in (prop_elec, prop_gas):
        mpa = mp_of_prop[acc_prop]
        s = np.flatnonzero(mpa >= 0)
        l_acc.append(s)
        l_mp.append(mpa[s])
    l_acc, l_mp = np.concatenate(l_acc), np.concatenate(l_mp)
    order = np.lexsort((l_mp, l_acc))
    l_acc, l_mp = l_acc[order], l_mp[order]
    amp_id = ctr.take("account_meter_point", len(l_acc))
    # a link closes at the move itself (the account row waits for the final bill)
    closed_l = np.flatnonzero(~np.isnat(acc_to[l_acc]))
    lk = np.concatenate([np.arange(len(l_acc)), closed_l])
    lf = np.concatenate([ba_created[l_acc], acc_to[l_acc[closed_l]]])
    lto = np.concatenate([np.full(len(l_acc), NAT), acc_to[l_acc[closed_l]]])
    order = np.lexsort((lf, lk))
    lk, lf, lto = lk[order], lf[order], lto[order]
    T.add(
        D_JE,
        "account_meter_point",
        id=amp_id[lk],
        account_id=acc_id[l_acc[lk]],
        meter_point_id=mp_id[l_mp[lk]],
        from_dttm=acc_from[l_acc[lk]],
        to_dttm=lto,
        meta_effective_from_timestamp=lf,
        meta_effective_to_timestamp=chain_versions(lk, lf),
    )
    irr.add("customer_moved_home", f"{D_JE}.account", acc_number[mover_idx], n)

    # ------------------------------------------------------------------ payments (junifer)
    pay_method = choice(rng, V.PAYMENT_METHODS, [0.7, 0.2, 0.1], n_acc)
    cur_acc = np.flatnonzero(is_acc & (b_kind == "normal") & (gross > 0))
    beh = rng.choice(4, len(cur_acc), p=[0.85, 0.05, 0.03, 0.07])
    meth = pay_method[b_acc[cur_acc]]
    on_time = ba_[cur_acc] + secs(rng.uniform(2, 13, len(cur_acc)) * 86400)
    late_t = b_due[cur_acc] + secs(rng.uniform(3, 40, len(cur_acc)) * 86400)
    retry = on_time + secs(rng.uniform(5, 10, len(cur_acc)) * 86400)
    pb, pt, pst, pm = [], [], [], []
    for mask, when, st in (
        (beh == 0, on_time, "SUCCESSFUL"),
        (beh == 1, on_time, "FAILED"),
        (beh == 1, retry, "SUCCESSFUL"),
        (beh == 2, late_t, "SUCCESSFUL"),
    ):
        s = np.flatnonzero(mask & (when <= AS_OF_END))
        pb.append(cur_acc[s])
        pt.append(when[s])
        pst.append(np.full(len(s), st, object))
        pm.append(meth[s])
    pb, pt, pst, pm = (np.concatenate(a) for a in (pb, pt, pst, pm))
    p_amount = gross[pb] / 100.0
    p_account = b_acc[pb]
    p_bill = b_id[pb].astype(float)
    # ad-hoc card payments without a bill
    adhoc_acc = np.flatnonzero(rng.random(n_acc) < 0.1)
    ah_t = rand_ts(rng, a_lo[adhoc_acc], np.minimum(a_hi[adhoc_acc], AS_OF_END), len(adhoc_acc))
    okh = ah_t > a_lo[adhoc_acc]
    adhoc_acc, ah_t = adhoc_acc[okh], ah_t[okh]
    p_account = np.concatenate([p_account, adhoc_acc])
    p_bill = np.concatenate([p_bill, np.full(len(adhoc_acc), np.nan)])
    pt = np.concatenate([pt, ah_t])
    pst = np.concatenate([pst, np.full(len(adhoc_acc), "SUCCESSFUL", object)])
    pm = np.concatenate([pm, np.full(len(adhoc_acc), "CARD", object)])
    p_amount = np.concatenate([p_amount, np.round(rng.uniform(20, 100, len(adhoc_acc)), 2)])
    npay = len(pt)
    pay_id = ctr.take("payment", npay)
    # non-card payments clear after 3 days: PENDING first
    settle = pt + secs(3 * 86400)
    two = pm != "CARD"
    s2 = np.flatnonzero(two & (settle <= AS_OF_END))
    pend_now = two & (settle > AS_OF_END)
    first_status = np.where(two, "PENDING", pst).astype(object)
    qk = np.concatenate([np.arange(npay), s2])
    qf = np.concatenate([pt, settle[s2]])
    qs = np.concatenate([first_status, pst[s2]])
    qs[:npay][pend_now] = "PENDING"
    order = np.lexsort((qf, qk))
    qk, qf, qs = qk[order], qf[order], qs[order]
    T.add(
        D_JE,
        "payment",
        id=pay_id[qk],
        account_id=acc_id[p_account[qk]],
        bill_id=p_bill[qk],
        received_dttm=pt[qk],
        amount=p_amount[qk],
        payment_method=pm[qk],
        status=qs,
        meta_effective_from_timestamp=qf,
        meta_effective_to_timestamp=chain_versions(qk, qf),
    )

    # ------------------------------------------------------------------ bill delivery
    me = MONTHS[1:].astype("datetime64[D]") - DAY  # month-end report dates
    me_ts = day_to_ts(me) + secs(86399)
    act = (acc_from[:, None] <= me_ts[None, :]) & (
        np.isnat(acc_to)[:, None] | (acc_to[:, None] > me_ts[None, :])
    )
    da, dm = np.nonzero(act)
    init_m = rng.choice(3, n_acc, p=[0.65, 0.15, 0.20])
    step = np.where(rng.random(len(da)) < 0.015, rng.integers(1, 3, len(da)), 0)
    gs = np.ones(len(da), bool)
    gs[1:] = da[1:] != da[:-1]
    meth_i = (init_m[da] + _group_cumsum(step, gs)) % 3
    T.add(
        "soe_operations_report",
        "bill_delivery",
        account_number=acc_number[da],
        billDelivery=np.asarray(V.BILL_DELIVERY, object)[meth_i],
        meta_report_period_end_date=me[dm],
    )

    # ------------------------------------------------------------------ smart meter bookings
    acc_start = np.maximum(acc_from, day_to_ts(HISTORY_START))
    acc_end = np.where(np.isnat(acc_to), AS_OF_END, acc_to)
    long_enough = (acc_end - acc_start) > secs(70 * 86400)
    open_acc = np.isnat(acc_to)
    nbk = int(round(rates["booking_per_customer"] * n))
    st = choice(rng, V.AES_STATUSES, [0.10, 0.55, 0.15, 0.20], nbk)
    cand_all = np.flatnonzero(long_enough)
    cand_open = np.flatnonzero(open_acc)
    bk_acc = np.where(
        st == "BOOKED",
        cand_open[rng.integers(0, max(len(cand_open), 1), nbk)] if len(cand_open) else 0,
        cand_all[rng.integers(0, max(len(cand_all), 1), nbk)] if len(cand_all) else 0,
    )
    if not len(cand_all) or not len(cand_open):
        nbk = 0
        st, bk_acc = st[:0], bk_acc[:0]
    slot_len = rng.integers(2, 5, nbk) * HOUR
    slot_hour = rng.choice([8, 10, 12, 14], nbk)
    # non-BOOKED: created in the account window, slot 3-30 days later
    created_b = rand_ts(rng, acc_start[bk_acc], acc_end[bk_acc] - secs(40 * 86400), nbk)
    slot_day = (created_b + secs(rng.uniform(3, 30, nbk) * 86400)).astype("datetime64[D]")
    # at least one install in the last 30 days per block (000's "installs over time" query
    # reads the last 30 days; the small committed seeds would otherwise often have none)
    inst_ok = (st == "INSTALLED") & open_acc[bk_acc] & (acc_start[bk_acc] < day_to_ts(AS_OF - 90))
    if len(inst_ok) and inst_ok.any() and not (inst_ok & (slot_day >= AS_OF - 27)).any():
        i = rng.choice(np.flatnonzero(inst_ok))
        created_b[i] = day_to_ts(AS_OF - 30) + secs(rng.uniform(8, 20) * HOUR)
        slot_day[i] = AS_OF - days(rng.integers(3, 20))
    booked = st == "BOOKED"
    slot_day[booked] = AS_OF - days(rng.integers(0, 3, booked.sum()))
    slot_hour[booked] = rng.choice([8, 10, 12, 14, 16], booked.sum())
    slot_len[booked] = 2 * HOUR
    slot_start = day_to_ts(slot_day) + secs(slot_hour * HOUR)
    created_b[booked] = slot_start[booked] - secs(rng.uniform(3, 30, booked.sum()) * 86400)
    created_b = np.maximum(created_b, ba_created[bk_acc] + secs(60))
    slot_end = slot_start + secs(slot_len)
    arrived = slot_start + secs(rng.uniform(0, 1, nbk) * (slot_len - 1800))
    inst = st == "INSTALLED"
    fail = st == "FAILED"
    canc = st == "CANCELLED"
    inst_dt = np.where(inst, arrived + secs(rng.uniform(60, 180, nbk) * 60), NAT)
    fail_dt = np.where(fail, arrived + secs(rng.uniform(10, 90, nbk) * 60), NAT)
    canc_dt = np.where(
        canc,
        created_b + secs(rng.uniform(0.05, 0.95, nbk) * (slot_start - created_b).astype(np.int64)),
        NAT,
    )
    f_reason = np.where(fail, _pick(rng, V.FAILURE_REASONS, nbk), None).astype(object)
    c_reason = np.where(canc, _pick(rng, V.CANCEL_REASONS, nbk), None).astype(object)
    has_g = prop_gas[acc_prop[bk_acc]] >= 0
    fuel = np.where(has_g, choice(rng, V.BOOKING_FUEL_TYPES, [0.3, 0.15, 0.55], nbk), "ELEC")
    e_mp = prop_elec[acc_prop[bk_acc]]
    g_mp = prop_gas[acc_prop[bk_acc]]
    mpan = np.where(fuel != "GAS", mpxn[e_mp], None).astype(object)
    mprn = np.where(fuel != "ELEC", mpxn[np.maximum(g_mp, 0)], None).astype(object)
    itype = choice(rng, V.INSTALLATION_TYPES, [0.65, 0.25, 0.10], nbk)
    bsrc = choice(rng, V.BOOKING_SOURCES, [0.4, 0.4, 0.2], nbk)
    bk_id = ctr.take("booking", nbk)
    job = zfill_ids("AES", bk_id, 9)
    event_at = np.select([inst, fail, canc], [inst_dt, fail_dt, canc_dt], NAT)
    # planted: rescheduled bookings (an extra BOOKED version with an earlier slot)
    resch = np.flatnonzero((inst | fail) & (rng.random(nbk) < 0.05))
    rs_at = created_b[resch] + secs(0.3 * (slot_start[resch] - created_b[resch]).astype(np.int64))
    old_slot = (
        (rs_at + secs(0.5 * (slot_start[resch] - rs_at).astype(np.int64)))
        .astype("datetime64[h]")
        .astype("datetime64[s]")
    )
    old_slot = np.maximum(old_slot, rs_at + secs(HOUR))
    # versions: (booking, from, status, slot_start, slot_end, outcome visible)
    keys = [np.arange(nbk), np.flatnonzero(~booked), resch]
    vfrom = [created_b, event_at[~booked], rs_at]
    final_v = [np.zeros(nbk, bool), np.ones((~booked).sum(), bool), np.zeros(len(resch), bool)]
    vkeys = np.concatenate(keys)
    vfrom = np.concatenate(vfrom)
    vfinal = np.concatenate(final_v)
    vresch_first = np.concatenate(
        [np.isin(np.arange(nbk), resch), np.zeros((~booked).sum() + len(resch), bool)]
    )
    order = np.lexsort((vfrom, vkeys))
    vkeys, vfrom, vfinal, vresch_first = (a[order] for a in (vkeys, vfrom, vfinal, vresch_first))
    vstatus = np.where(vfinal, st[vkeys], "BOOKED").astype(object)
    ss = slot_start[vkeys].copy()
    se = slot_end[vkeys].copy()
    if len(resch):
        pos = np.searchsorted(resch, vkeys[vresch_first])
        ss[vresch_first] = old_slot[pos]
        se[vresch_first] = old_slot[pos] + secs(slot_len[vkeys[vresch_first]])

    def fin(a):
        return np.where(vfinal, a[vkeys], None if a.dtype == object else NAT)

    T.add(
        D_NE,
        "smart_meter_bookings",
        id=bk_id[vkeys],
        customer_id=cust_id[acc_cust[bk_acc[vkeys]]],
        billing_account_id=ba_id[bk_acc[vkeys]].astype(str).astype(object),
        aes_status=vstatus,
        aes_job_number=job[vkeys],
        mop_status=np.array([V.MOP_STATUS_FOR[s] for s in vstatus], dtype=object),
        slot_start_date_time=ss,
        slot_end_date_time=se,
        installed_datetime=fin(inst_dt),
        failed_datetime=fin(fail_dt),
        failure_reason=fin(f_reason),
        cancel_reason=fin(c_reason),
        cancellation_date_time=fin(canc_dt),
        fuel_type=fuel[vkeys].astype(object),
        installation_type=itype[vkeys],
        source=bsrc[vkeys],
        mpan=mpan[vkeys],
        mprn=mprn[vkeys],
        created_at=created_b[vkeys],
        meta_effective_from_timestamp=vfrom,
        meta_effective_to_timestamp=chain_versions(vkeys, vfrom),
    )
    irr.add("failed_booking", f"{D_NE}.smart_meter_bookings", bk_id[fail], nbk)
    irr.add("cancelled_booking", f"{D_NE}.smart_meter_bookings", bk_id[canc], nbk)
    irr.add("superseded_scd2_version", f"{D_NE}.smart_meter_bookings", bk_id[resch], nbk)

    # install jobs for bookings that reached a visit
    visit = np.flatnonzero(inst | fail)
    reg = region[acc_prop[bk_acc[visit]]]
    tech = _tech_for(rng, technicians, reg)
    outcome = np.where(
        inst[visit],
        "COMPLETED",
        np.where(np.isin(f_reason[visit], list(V.ABORT_REASONS)), "ABORTED", "FAILED"),
    ).astype(object)
    T.add(
        "field_ops",
        "install_job",
        aes_job_number=job[visit],
        technician_id=tech,
        arrived_dttm=arrived[visit],
        completed_dttm=event_at[visit],
        outcome=outcome,
    )

    # ------------------------------------------------------------------ faults & maintenance
    m_lo = np.maximum(meter_inst, day_to_ts(HISTORY_START))
    m_lo = np.maximum(m_lo, supply_start_ts[meter_mp])
    m_hi = np.where(np.isnat(meter_removed), AS_OF_END - secs(86400), meter_removed)
    live = m_hi > m_lo + secs(86400)
    frequent = live & (rng.random(n_meter) < 0.02)
    nf = np.where(frequent, rng.integers(3, 7, n_meter), rng.poisson(0.12, n_meter)) * live
    f_meter = np.repeat(np.arange(n_meter), nf)
    f_at = rand_ts(rng, m_lo[f_meter], m_hi[f_meter], len(f_meter))
    order = np.lexsort((f_at, f_meter))
    f_meter, f_at = f_meter[order], f_at[order]
    nfa = len(f_meter)
    f_res = f_at + secs(rng.uniform(2 * HOUR, 20 * 86400, nfa))
    f_res = np.where((f_res > AS_OF_END) | (rng.random(nfa) < 0.05), NAT, f_res)
    f_code = np.where(
        is_elec[meter_mp[f_meter]],
        _pick(rng, V.FAULT_CODES[:5], nfa),
        _pick(rng, V.FAULT_CODES, nfa),
    ).astype(object)
    f_id = ctr.take("meter_fault", nfa)
    resolved = np.flatnonzero(~np.isnat(f_res))
    fk = np.concatenate([np.arange(nfa), resolved])
    ff = np.concatenate([f_at, f_res[resolved]])
    fr = np.concatenate([np.full(nfa, NAT), f_res[resolved]])
    order = np.lexsort((ff, fk))
    fk, ff, fr = fk[order], ff[order], fr[order]
    T.add(
        D_NA,
        "meter_fault",
        id=f_id[fk],
        meter_id=meter_id[f_meter[fk]],
        fault_dttm=f_at[fk],
        fault_code=f_code[fk],
        resolved_dttm=fr,
        meta_effective_from_timestamp=ff,
        meta_effective_to_timestamp=chain_versions(fk, ff),
    )
    irr.add("frequent_faults", f"{D_NA}.meter_fault", meter_id[frequent], n_meter)

    # maintenance requests: FAULT (half of faults), EXCHANGE (every exchange), INSPECTION
    fs = np.flatnonzero(rng.random(nfa) < 0.5)
    q_meter = [f_meter[fs]]
    q_at = [np.minimum(f_at[fs] + secs(rng.uniform(1, 48, len(fs)) * HOUR), AS_OF_END)]
    q_res = [np.where(np.isnat(f_res[fs]), NAT, np.maximum(f_res[fs], q_at[0] + secs(600)))]
    q_type = [np.full(len(fs), "FAULT", object)]
    old_m = e_idx
    ex_req = e_ts - secs(rng.uniform(5, 30, len(e_idx)) * 86400)
    ex_req = np.maximum(ex_req, np.maximum(m_lo[old_m], supply_start_ts[e_idx]) + secs(60))
    q_meter.append(old_m)
    q_at.append(ex_req)
    q_res.append(e_ts)
    q_type.append(np.full(len(e_idx), "EXCHANGE", object))
    ins = np.flatnonzero(live & (rng.random(n_meter) < 0.03))
    ins_at = rand_ts(rng, m_lo[ins], m_hi[ins], len(ins))
    ins_res = ins_at + secs(rng.uniform(1, 15, len(ins)) * 86400)
    ins_res = np.where(ins_res > AS_OF_END, NAT, ins_res)
    q_meter.append(ins)
    q_at.append(ins_at)
    q_res.append(ins_res)
    q_type.append(np.full(len(ins), "INSPECTION", object))
    q_meter, q_at, q_res, q_type = (np.concatenate(a) for a in (q_meter, q_at, q_res, q_type))
    q_res = np.where(q_res > AS_OF_END, NAT, q_res)
    q_acc = acc_at(mp_prop[meter_mp[q_meter]], q_at)
    order = np.lexsort((q_at, q_meter))
    q_meter, q_at, q_res, q_type, q_acc = (a[order] for a in (q_meter, q_at, q_res, q_type, q_acc))
    T.add(
        "field_ops",
        "maintenance_request",
        request_id=ctr.take("maintenance_request", len(q_meter)),
        customer_id=cust_id[acc_cust[q_acc]],
        meter_id=meter_id[q_meter],
        technician_id=_tech_for(rng, technicians, region[mp_prop[meter_mp[q_meter]]]),
        request_dttm=q_at,
        resolution_dttm=q_res,
        request_type=q_type,
    )

    # ------------------------------------------------------------------ feedback
    c_lo = np.maximum(cust_created, day_to_ts(HISTORY_START))
    ns = int(round(0.6 * n_cust))
    s_c = rng.integers(0, n_cust, ns)
    s_at = rand_ts(rng, c_lo[s_c], AS_OF_END, ns)
    order = np.argsort(s_at, kind="stable")
    s_c, s_at = s_c[order], s_at[order]
    T.add(
        "customer_feedback",
        "survey_response",
        response_id=ctr.take("survey_response", ns),
        customer_id=cust_id[s_c],
        responded_at=s_at,
        satisfaction_score=rng.choice(np.arange(1, 6), ns, p=[0.08, 0.1, 0.17, 0.35, 0.30]),
        channel=choice(rng, V.SURVEY_CHANNELS, [0.5, 0.2, 0.2, 0.1], ns),
    )
    ncm = int(round(rates["complaint_per_customer"] * n_cust))
    cm_c = rng.integers(0, n_cust, ncm)
    cm_at = rand_ts(rng, c_lo[cm_c], AS_OF_END, ncm)
    order = np.argsort(cm_at, kind="stable")
    cm_c, cm_at = cm_c[order], cm_at[order]
    cm_res = cm_at + secs(rng.uniform(1, 60, ncm) * 86400)
    cm_res = np.where((cm_res > AS_OF_END) | (rng.random(ncm) < 0.05), NAT, cm_res)
    T.add(
        "customer_feedback",
        "complaint",
        complaint_id=ctr.take("complaint", ncm),
        customer_id=cust_id[cm_c],
        received_at=cm_at,
        resolved_at=cm_res,
        category=choice(rng, V.COMPLAINT_CATEGORIES, [0.35, 0.2, 0.2, 0.1, 0.15], ncm),
    )

    # ------------------------------------------------------------------ digital journeys
    j_acc, j_day, j_kpi = [], [], []
    acq = np.flatnonzero((acc_kind == "base") & (acc_from >= day_to_ts(HISTORY_START)))
    j_acc.append(acq)
    j_day.append((ba_created[acq]).astype("datetime64[D]"))
    j_kpi.append(np.full(len(acq), "Acquisition", object))
    mo = np.arange(n)[is_mover]
    j_acc.append(mo)
    j_day.append((acc_to[mo] - secs(rng.uniform(5, 30, len(mo)) * 86400)).astype("datetime64[D]"))
    j_kpi.append(np.full(len(mo), "COT Move Out", object))
    mi = np.arange(n, n_acc)
    j_acc.append(mi)
    j_day.append((acc_from[mi] - secs(rng.uniform(1, 20, len(mi)) * 86400)).astype("datetime64[D]"))
    j_kpi.append(np.full(len(mi), "COT Move In", object))
    web_books = np.flatnonzero(bsrc != "Agent")
    j_acc.append(bk_acc[web_books])
    j_day.append(created_b[web_books].astype("datetime64[D]"))
    j_kpi.append(np.full(len(web_books), "Smart meter bookings", object))
    years = ((acc_end - acc_start).astype(np.int64) / (365.25 * 86400)).clip(min=0)
    nj = rng.poisson(1.2 * years)
    ja = np.repeat(np.arange(n_acc), nj)
    j_acc.append(ja)
    j_day.append(rand_ts(rng, acc_start[ja], acc_end[ja], len(ja)).astype("datetime64[D]"))
    j_kpi.append(
        choice(
            rng,
            [
                "Direct Debit Setup",
                "Direct Debit Amount Changes",
                "Direct Debit Date Changes",
                "Submit a read",
                "Make a Card Payment",
                "Renewals",
            ],
            [0.15, 0.15, 0.1, 0.35, 0.15, 0.1],
            len(ja),
        )
    )
    j_acc, j_day, j_kpi = (np.concatenate(a) for a in (j_acc, j_day, j_kpi))
    j_day = np.clip(j_day, HISTORY_START, AS_OF - days(1))
    order = np.lexsort((j_acc, j_day))
    j_acc, j_day, j_kpi = j_acc[order], j_day[order], j_kpi[order]
    nj = len(j_acc)
    chan = choice(rng, V.CHANNELS, [0.55, 0.45], nj)
    p_ok = np.array([V.KPI_SUCCESS[k] for k in j_kpi]) - np.where(chan == "Web", V.WEB_PENALTY, 0)
    use_gas = (j_kpi == "Submit a read") & (prop_gas[acc_prop[j_acc]] >= 0) & (rng.random(nj) < 0.5)
    j_mp = np.where(use_gas, prop_gas[acc_prop[j_acc]], prop_elec[acc_prop[j_acc]])
    T.add(
        D_JM,
        "digital_journey_performance",
        Journey_id=zfill_ids("DJ-", ctr.take("journey", nj), 10),
        Account_number=acc_number[j_acc],
        Mpxn=mpxn[j_mp],
        KPI_name=j_kpi,
        Channel=chan,
        DB_Source=np.array([V.KPI_DB_SOURCE[k] for k in j_kpi], dtype=object),
        Created_date=j_day,
        Success_status=np.where(rng.random(nj) < p_ok, "Success", "Failed").astype(object),
        meta_loaded_at=day_to_ts(j_day + DAY) + secs(rng.uniform(2, 5, nj) * HOUR),
    )

    irr.add(
        "temporary_lapse",
        f"{D_JM}.w_actual_meterreads",
        np.char.add(np.char.add(mpxn[lapse_mp].astype(str), "|"), MONTHS[lapse_month].astype(str)),
        n_mp,
    )
    return T


def _tech_for(rng, technicians: dict, regions: np.ndarray) -> np.ndarray:
    out = np.zeros(len(regions), np.int64)
    for r, ids in technicians.items():
        s = np.flatnonzero(regions == r)
        out[s] = ids[rng.integers(0, len(ids), len(s))]
    return out
