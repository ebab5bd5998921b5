"""Orchestration: global reference data, then the supply and PAYG worlds block by block."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from energy_dw.contract import REFERENCE_SEEDS, tables

from . import values as V
from .common import (
    AS_OF_END,
    HISTORY_START,
    PAYG_ACCOUNTS_PER_SCALE,
    SEED_SCALE,
    SUPPLY_CUSTOMERS_PER_SCALE,
    Tables,
    zfill_ids,
)
from .irregular import Irregularities
from .payg import payg_block, payg_reference
from .supply import Counters, supply_block
from .tariffs import TARIFF_STREAM, add_tariffs
from .writers import Writer

DEFAULT_SEED = 20261031
BLOCK_CUSTOMERS = 20_000
BLOCK_ACCOUNTS = 50_000
BOOKINGS_PER_CUSTOMER = 0.2
BOOKINGS_FLOOR = 150
COMPLAINTS_PER_CUSTOMER = 0.08
COMPLAINTS_FLOOR = 40
TECHNICIANS_PER_SCALE = 2_000
TECHNICIANS_FLOOR = 12


def sizes(scale: float) -> dict[str, int]:
    return {
        "supply_customers": max(int(round(scale * SUPPLY_CUSTOMERS_PER_SCALE)), 20),
        "payg_accounts": max(int(round(scale * PAYG_ACCOUNTS_PER_SCALE)), 50),
        "technicians": max(int(round(scale * TECHNICIANS_PER_SCALE)), TECHNICIANS_FLOOR),
    }


def _split(total: int, block: int) -> list[int]:
    n_blocks = max(1, math.ceil(total / block))
    base, rest = divmod(total, n_blocks)
    return [base + (1 if i < rest else 0) for i in range(n_blocks)]


def generate(
    out_dir: Path | str = "seeds",
    scale: float = SEED_SCALE,
    fmt: str = "csv",
    layout: str = "seeds",
    seed: int = DEFAULT_SEED,
    block_customers: int = BLOCK_CUSTOMERS,
    block_accounts: int = BLOCK_ACCOUNTS,
    verbose: bool = False,
) -> dict:
    """Generate the whole world into out_dir; returns the manifest (also written as JSON)."""
    t0 = time.time()
    out_dir = Path(out_dir)
    contract = tables()
    sz = sizes(scale)
    writer = Writer(out_dir, fmt, layout, contract)
    irr = Irregularities()
    ctr = Counters()

    def flush(t: Tables) -> None:
        for dataset, table in list(t.parts):
            writer.write(dataset, table, t.frame(dataset, table))

    # global reference data (one RNG stream of its own)
    g_rng = np.random.default_rng([seed, 2**31 - 1])
    g = Tables()
    n_tech = sz["technicians"]
    tech_id = np.arange(1, n_tech + 1, dtype=np.int64)
    tech_region = np.asarray(V.REGIONS, dtype=object)[np.arange(n_tech) % 4]
    tech_name = (
        np.asarray(V.FIRST_NAMES, object)[g_rng.integers(0, len(V.FIRST_NAMES), n_tech)]
        + " "
        + np.asarray(V.LAST_NAMES, object)[g_rng.integers(0, len(V.LAST_NAMES), n_tech)]
    )
    g.add(
        "field_ops",
        "technician",
        technician_id=tech_id,
        technician_name=tech_name,
        region=tech_region,
    )
    technicians = {r: tech_id[tech_region == r] for r in V.REGIONS}
    payg_ref = payg_reference(g)
    flush(g)

    # supply world
    blocks = _split(sz["supply_customers"], block_customers)
    total_c = sz["supply_customers"]
    rates = {
        "booking_per_customer": max(BOOKINGS_PER_CUSTOMER, BOOKINGS_FLOOR / total_c),
        "complaint_per_customer": max(COMPLAINTS_PER_CUSTOMER, COMPLAINTS_FLOOR / total_c),
    }
    for b, n in enumerate(blocks):
        rng = np.random.default_rng([seed, b])
        block = supply_block(rng, n, ctr, rates, technicians, irr)
        add_tariffs(block, np.random.default_rng([seed, b, TARIFF_STREAM]), ctr, irr)
        flush(block)
        if verbose:
            print(f"supply block {b + 1}/{len(blocks)}: {n} customers ({time.time() - t0:.1f}s)")

    # PAYG world
    pblocks = _split(sz["payg_accounts"], block_accounts)
    for b, n in enumerate(pblocks):
        rng = np.random.default_rng([seed, 1_000_000 + b])
        flush(payg_block(rng, n, ctr, payg_ref, irr))
        if verbose:
            print(f"payg block {b + 1}/{len(pblocks)}: {n} accounts ({time.time() - t0:.1f}s)")

    # every table exists even if no block produced rows
    for dataset, tabs in contract.items():
        for table in tabs:
            if f"{dataset}.{table}" not in writer.rows:
                flush_empty = Tables()
                writer.write(dataset, table, flush_empty.frame(dataset, table))
    writer.close()

    if layout == "seeds":
        ref_dir = out_dir / "reference"
        ref_dir.mkdir(parents=True, exist_ok=True)
        cols = [c for c, _ in REFERENCE_SEEDS["opco_default_policy"]]
        lines = [",".join(cols)] + [f"{o},{p[0]}" for o, p in V.OPCOS.items()]
        (ref_dir / "opco_default_policy.csv").write_text("\n".join(lines) + "\n")

    manifest = {
        "generator": "energy_dw.generator",
        "seed": seed,
        "scale": scale,
        "format": fmt,
        "layout": layout,
        "history_start": str(HISTORY_START),
        "as_of": str(AS_OF_END),
        "sizes": sz,
        "blocks": {"supply": len(blocks), "payg": len(pblocks)},
        "row_counts": dict(sorted(writer.rows.items())),
        "blocks_written": dict(sorted(writer.blocks.items())),
        "irregularities": irr.manifest(),
    }
    name = "_manifest.json"
    (out_dir / name).write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n")
    if verbose:
        print(f"done in {time.time() - t0:.1f}s -> {out_dir}")
    return manifest


__all__ = ["generate", "sizes", "DEFAULT_SEED", "zfill_ids"]
