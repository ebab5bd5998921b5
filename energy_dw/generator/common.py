"""Shared constants, time helpers and the table container used by the generator.

Timestamps are handled as ``numpy.datetime64[s]`` arrays (``NaT`` is NULL), dates as
``datetime64[D]``, money and kWh as float64 already rounded to 3 decimals.
"""

from __future__ import annotations

import numpy as np

from energy_dw.contract import tables

# ---------------------------------------------------------------------------
# The fixed world calendar
# ---------------------------------------------------------------------------
HISTORY_START = np.datetime64("2024-05-01", "D")
AS_OF = np.datetime64("2026-10-31", "D")
AS_OF_END = np.datetime64("2026-10-31T23:59:59", "s")  # last instant of the world
PERIOD_END = np.datetime64("2026-11-01T00:00:00", "s")  # exclusive end of the last day
SCD2_OPEN = np.datetime64("9999-01-01T00:00:00", "s")
NAT = np.datetime64("NaT", "s")
DAY = np.timedelta64(1, "D")
SEC_DAY = 86_400

# Month starts from 2024-05 to 2026-11 (the last one is the exclusive end).
MONTHS = np.arange(np.datetime64("2024-05", "M"), np.datetime64("2026-12", "M"))
N_MONTHS = len(MONTHS) - 1  # 30 calendar months of history

SEED_SCALE = 0.0005

# Production sizes per unit of scale (S=1 is production).
SUPPLY_CUSTOMERS_PER_SCALE = 440_000
PAYG_ACCOUNTS_PER_SCALE = 2_200_000


def ts(value: str) -> np.datetime64:
    return np.datetime64(value, "s")


def day_to_ts(d: np.ndarray) -> np.ndarray:
    return np.asarray(d, dtype="datetime64[D]").astype("datetime64[s]")


def secs(n) -> np.ndarray:
    return np.asarray(np.rint(n), dtype=np.int64).astype("timedelta64[s]")


def days(n) -> np.ndarray:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[D]")


def rand_ts(rng: np.random.Generator, lo, hi, size: int) -> np.ndarray:
    """Uniform timestamps in [lo, hi) (both datetime64, scalar or array)."""
    lo_s = np.asarray(lo, dtype="datetime64[s]").astype(np.int64)
    hi_s = np.asarray(hi, dtype="datetime64[s]").astype(np.int64)
    span = np.maximum(hi_s - lo_s, 1)
    off = (rng.random(size) * span).astype(np.int64)
    return (lo_s + off).astype("datetime64[s]")


def month_index(d) -> np.ndarray:
    """Index into MONTHS of the calendar month of a date/timestamp."""
    m = np.asarray(d).astype("datetime64[M]")
    return (m - MONTHS[0]).astype(np.int64)


def choice(rng: np.random.Generator, values, probs, size: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=size, p=p / p.sum())]


def zfill_ids(prefix: str, ids: np.ndarray, width: int) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int64)
    return np.char.add(prefix, np.char.zfill(ids.astype(str), width)).astype(object)


def scramble(ids: np.ndarray, modulus: int, mult: int = 7_919_993) -> np.ndarray:
    """A bijection of ids onto [0, modulus) (mult must be coprime with modulus)."""
    return (np.asarray(ids, dtype=np.int64) * mult + 104_729) % modulus


def scd2_to(from_ts: np.ndarray, next_from: np.ndarray) -> np.ndarray:
    """meta_effective_to from the next version's start (NaT -> the open 9999 marker)."""
    out = np.asarray(next_from, dtype="datetime64[s]").copy()
    out[np.isnat(out)] = SCD2_OPEN
    return out


def chain_versions(keys: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Given versions sorted by (key, start), the meta_effective_to of each version."""
    keys = np.asarray(keys)
    starts = np.asarray(starts, dtype="datetime64[s]")
    to = np.full(len(keys), SCD2_OPEN)
    if len(keys) > 1:
        same = keys[1:] == keys[:-1]
        to[:-1][same] = starts[1:][same]
    return to


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------
CONTRACT = tables()


class Tables:
    """Column dictionaries per (dataset, table), concatenated over parts."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, str], list[dict[str, np.ndarray]]] = {}

    def add(self, dataset: str, table: str, **cols) -> None:
        spec = CONTRACT[dataset][table]
        names = [c for c, _ in spec]
        missing = set(names) - set(cols)
        extra = set(cols) - set(names)
        if missing or extra:
            raise ValueError(f"{dataset}.{table}: missing {missing}, unexpected {extra}")
        n = None
        out = {}
        for c in names:
            v = cols[c]
            if np.ndim(v) == 0:
                continue
            v = np.asarray(v)
            if n is None:
                n = len(v)
            elif len(v) != n:
                raise ValueError(f"{dataset}.{table}.{c}: length {len(v)} != {n}")
            out[c] = v
        if n is None:
            raise ValueError(f"{dataset}.{table}: no array column")
        for c in names:
            if c not in out:
                out[c] = np.full(n, cols[c], dtype=object if cols[c] is None else None)
        self.parts.setdefault((dataset, table), []).append({c: out[c] for c in names})

    def frame(self, dataset: str, table: str):
        """All parts of one table as a DataFrame with contract-normalised dtypes."""
        import pandas as pd

        spec = CONTRACT[dataset][table]
        parts = self.parts.get((dataset, table), [])
        frames = [normalise(p, spec) for p in parts]
        if not frames:
            frames = [normalise({c: np.array([], dtype=object) for c, _ in spec}, spec)]
        if len(frames) == 1:
            return frames[0]
        return pd.concat(frames, ignore_index=True)


def normalise(cols: dict, spec):
    """Columns -> DataFrame with dtypes Int64, object str, float64, bool, datetime64[s]."""
    import pandas as pd

    data = {}
    for c, typ in spec:
        v = np.asarray(cols[c])
        if typ == "INT64":
            if v.dtype.kind in "iu":
                s = pd.array(v.astype(np.int64), dtype="Int64")
            else:
                s = pd.array(pd.Series(v, dtype=object).astype("Float64").round(0), dtype="Int64")
        elif typ == "STRING":
            o = v.astype(object)
            if v.dtype.kind == "O":
                o = (
                    np.array([None if (x is None or x != x) else str(x) for x in o], dtype=object)
                    if len(o) and any(x is not None and not isinstance(x, str) for x in o)
                    else o
                )
            s = o
        elif typ == "NUMERIC":
            f = np.round(np.asarray(v, dtype=float), 3)
            f[f == 0] = 0.0
            s = f
        elif typ == "BOOL":
            s = np.asarray(v, dtype=bool)
        elif typ == "DATE":
            s = np.asarray(v, dtype="datetime64[D]").astype("datetime64[s]")
        elif typ == "TIMESTAMP":
            s = np.asarray(v, dtype="datetime64[s]")
        else:  # pragma: no cover
            raise ValueError(typ)
        data[c] = s
    return pd.DataFrame(data)
