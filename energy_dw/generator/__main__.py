"""CLI: ``python -m energy_dw.generator [--scale S] [--format csv|parquet] [--out DIR] [--seed N]``.

Without --scale and --out it (re)writes the committed dbt seeds in ``seeds/``
(``seeds/<dataset>/<dataset>__<table>.csv``). With --scale or --out it writes the raw-data
switch layout ``DIR/<dataset>.<table>.<csv|parquet>``.
"""

from __future__ import annotations

import argparse
import sys

from .common import SEED_SCALE
from .core import BLOCK_ACCOUNTS, BLOCK_CUSTOMERS, DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m energy_dw.generator", description=__doc__)
    ap.add_argument(
        "--scale",
        type=float,
        default=None,
        help=f"1 = production size; default {SEED_SCALE} (the committed seeds)",
    )
    ap.add_argument("--format", choices=["csv", "parquet"], default="csv")
    ap.add_argument("--out", default=None, help="output folder (default: seeds/)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--block-customers", type=int, default=BLOCK_CUSTOMERS)
    ap.add_argument("--block-accounts", type=int, default=BLOCK_ACCOUNTS)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    seeds_mode = a.scale is None and a.out is None
    if seeds_mode and a.format != "csv":
        ap.error("the committed seeds are CSV; give --out for parquet")
    generate(
        out_dir=a.out or "seeds",
        scale=SEED_SCALE if a.scale is None else a.scale,
        fmt=a.format,
        layout="seeds" if seeds_mode else "raw",
        seed=a.seed,
        block_customers=a.block_customers,
        block_accounts=a.block_accounts,
        verbose=not a.quiet,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
