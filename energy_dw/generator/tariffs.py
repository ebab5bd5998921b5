"""Tariffs: the rate (Junifer agreement) in force for each account meter point.

Every account meter point of a supply block gets a tariff from its supply start
(``account_meter_point.from_dttm``) to its end (``to_dttm``, NULL while supplied), drawn from
``TARIFFS`` by fuel; a planted share (``P_TARIFF_CHANGE``) switches tariff once, at midnight of a
day inside the history that usually falls inside a bill period. The account itself never
changes: same ``account_id``, same ``from_dttm`` (Opower's active_date), only the tariff.

The tariffs are drawn from a random stream of their own (``TARIFF_STREAM``), after the block
is built, from the block's ``account_meter_point`` and ``meter_point`` rows: the other tables
of a block do not depend on this module.
"""

from __future__ import annotations

import numpy as np

from .common import AS_OF, HISTORY_START, NAT, SCD2_OPEN, Tables, chain_versions, day_to_ts, days
from .irregular import Irregularities

D_JE = "junifer_enriched"
TARIFF_STREAM = 4_000_001  # third entry of the tariffs' RNG seed: [seed, block, TARIFF_STREAM]
P_TARIFF_CHANGE = 0.10  # share of account meter points that switch tariff once
MIN_DAYS_ON_TARIFF = 28  # a switch leaves at least this many days on each side

# code -> (fuel, name, weight of the draw at supply start). A weight of 0 keeps a tariff in the
# catalogue without drawing it at random: Economy 7 belongs to two-register (day/night) meters.
TARIFFS: dict[str, tuple[str, str, float]] = {
    "E-STD-VAR": ("ELEC", "Standard Variable (electricity)", 0.55),
    "E-FIX-12M": ("ELEC", "Fixed 12 Months (electricity)", 0.30),
    "E-FIX-24M": ("ELEC", "Fixed 24 Months (electricity)", 0.15),
    "E-E7": ("ELEC", "Economy 7", 0.0),
    "G-STD-VAR": ("GAS", "Standard Variable (gas)", 0.55),
    "G-FIX-12M": ("GAS", "Fixed 12 Months (gas)", 0.30),
    "G-FIX-24M": ("GAS", "Fixed 24 Months (gas)", 0.15),
}


def tariff_codes(fuel: str) -> list[str]:
    """The codes drawn at random for a fuel (weight > 0), in catalogue order."""
    return [c for c, (f, _, w) in TARIFFS.items() if f == fuel and w > 0]


def _draw(rng: np.random.Generator, fuel: np.ndarray, exclude: np.ndarray | None = None):
    """A tariff code per row of its fuel, by weight; never the row's `exclude` code (vectorised:
    one draw per fuel and excluded code)."""
    out = np.empty(len(fuel), dtype=object)
    for f in np.unique(fuel):
        codes = tariff_codes(f)
        for skip in [None] if exclude is None else codes:
            rows = np.flatnonzero((fuel == f) & (True if skip is None else exclude == skip))
            keep = [c for c in codes if c != skip]
            w = np.array([TARIFFS[c][2] for c in keep])
            out[rows] = np.asarray(keep, object)[rng.choice(len(keep), len(rows), p=w / w.sum())]
    return out


def _parts(t: Tables, table: str) -> dict[str, np.ndarray]:
    parts = t.parts.get((D_JE, table), [])
    if not parts:
        return {}
    return {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}


def add_tariffs(t: Tables, rng: np.random.Generator, ctr, irr: Irregularities) -> None:
    """Add ``junifer_enriched.account_tariff`` for the account meter points already in t."""
    amp = _parts(t, "account_meter_point")
    mp = _parts(t, "meter_point")
    if not amp:
        return
    # one link per id: its first version (when it was loaded) and its current version
    link_ids, first = np.unique(amp["id"], return_index=True)
    current = amp["meta_effective_to_timestamp"] == SCD2_OPEN
    cur_idx = np.flatnonzero(current)
    cur_idx = cur_idx[np.argsort(amp["id"][cur_idx], kind="stable")]
    assert (amp["id"][cur_idx] == link_ids).all(), "one current version per account meter point"
    loaded = amp["meta_effective_from_timestamp"][first]
    acc = amp["account_id"][cur_idx]
    mpid = amp["meter_point_id"][cur_idx]
    start = amp["from_dttm"][cur_idx].astype("datetime64[s]")
    end = amp["to_dttm"][cur_idx].astype("datetime64[s]")  # NaT while supplied
    by_id = np.argsort(mp["id"], kind="stable")
    fuel = mp["fuel_type"][by_id][np.searchsorted(mp["id"][by_id], mpid)].astype(object)
    n = len(link_ids)
    first_code = _draw(rng, fuel)

    # the planted switch: a day in the history with MIN_DAYS_ON_TARIFF on each side
    lo = np.maximum(start.astype("datetime64[D]"), HISTORY_START) + days(MIN_DAYS_ON_TARIFF)
    hi_end = np.where(np.isnat(end), (AS_OF + days(1)).astype("datetime64[s]"), end)
    hi = hi_end.astype("datetime64[D]") - days(MIN_DAYS_ON_TARIFF)
    span = (hi - lo).astype(np.int64)
    # (and after the link was loaded, so that the closing version follows the first one)
    can = (span > 0) & (day_to_ts(lo) > loaded)
    p = min(1.0, P_TARIFF_CHANGE / max(can.mean(), 1e-9))
    switch = can & (rng.random(n) < p)
    offset = (rng.random(n) * np.maximum(span, 1)).astype(np.int64)
    switch_at = np.where(switch, day_to_ts(lo + days(offset)), NAT)
    second_code = np.full(n, None, dtype=object)
    s = np.flatnonzero(switch)
    second_code[s] = _draw(rng, fuel[s], exclude=first_code[s])

    # spells: the first tariff of every link, the second of the switched ones
    sp_link = np.concatenate([np.arange(n), s])
    sp_from = np.concatenate([start, switch_at[s]])
    sp_to = np.concatenate([np.where(switch, switch_at, end), end[s]])
    sp_code = np.concatenate([first_code, second_code[s]])
    sp_loaded = np.concatenate([loaded, switch_at[s]])
    order = np.lexsort((sp_from, sp_link))
    sp_link, sp_from, sp_to, sp_code, sp_loaded = (
        a[order] for a in (sp_link, sp_from, sp_to, sp_code, sp_loaded)
    )
    sp_id = ctr.take("account_tariff", len(sp_link))
    # SCD2 versions: open (to_dttm NULL) when loaded, closed when the switch or the move ends it
    sp_closed_at = np.where(np.isnat(sp_to), SCD2_OPEN, sp_to)
    closes = np.flatnonzero(~np.isnat(sp_to))
    vk = np.concatenate([np.arange(len(sp_id)), closes])
    v_from = np.concatenate([sp_loaded, sp_closed_at[closes]])
    v_to_dttm = np.concatenate([np.full(len(sp_id), NAT), sp_to[closes]])
    order = np.lexsort((v_from, vk))
    vk, v_from, v_to_dttm = vk[order], v_from[order], v_to_dttm[order]
    v_meta_to = chain_versions(vk, v_from)
    names = np.array([TARIFFS[c][1] for c in sp_code[vk].tolist()], dtype=object)
    t.add(
        D_JE,
        "account_tariff",
        id=sp_id[vk],
        account_id=acc[sp_link[vk]],
        meter_point_id=mpid[sp_link[vk]],
        tariff_code=sp_code[vk],
        tariff_name=names,
        from_dttm=sp_from[vk],
        to_dttm=v_to_dttm,
        meta_effective_from_timestamp=v_from,
        meta_effective_to_timestamp=v_meta_to,
    )
    keys = np.char.add(np.char.add(acc[s].astype(str), "|"), mpid[s].astype(str))
    irr.add("tariff_change", f"{D_JE}.account_tariff", keys, n)
