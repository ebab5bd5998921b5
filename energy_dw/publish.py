"""Publish a finished build: swap a copy of the working DuckDB file onto the file readers open.

Builds never write the published file (`warehouse.duckdb`): dbt writes the working file
(`target/warehouse.duckdb`, or $DBT_DUCKDB_PATH), and once the build has succeeded this step

1. checkpoints the working file, so the whole build is in the file itself (no `.wal` beside it);
2. copies it to a temporary file in the published file's directory and fsyncs it;
3. `os.replace`s the copy onto the published file (one atomic rename) and fsyncs the directory.

A reader that opened the published file before the swap keeps reading the old build (its open
file is the old inode) until it reconnects; a reader that opens after the swap sees the whole new
build. Nothing ever sees a half-written file, and a reader never blocks a build. A failed build
does not reach this step, so the last complete build keeps serving.

Usage: python -m energy_dw.publish [--working target/warehouse.duckdb]
                                   [--published warehouse.duckdb]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

DEFAULT_WORKING = "target/warehouse.duckdb"
DEFAULT_PUBLISHED = "warehouse.duckdb"


class PublishError(Exception):
    pass


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def checkpoint(working: Path) -> None:
    """Fold the write-ahead log into the file. Opening the file for writing also proves no build
    is still writing it (DuckDB allows one writing process)."""
    import duckdb

    try:
        con = duckdb.connect(str(working))
    except duckdb.IOException as exc:
        message = f"cannot open {working} for the checkpoint (a build running?): {exc}"
        raise PublishError(message) from exc
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    if _wal(working).exists():
        raise PublishError(f"{_wal(working)} is still there after the checkpoint")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(working: Path, published: Path) -> Path:
    """Swap a checkpointed copy of `working` onto `published`; returns `published`."""
    working, published = Path(working), Path(published)
    if not working.is_file():
        raise PublishError(f"no working file {working}: build first")
    if working.resolve() == published.resolve():
        raise PublishError(f"{working} is the published file itself: a build must not write it")
    if _wal(published).exists():
        # A stray writer opened the published file (or crashed on it): its log must never be
        # replayed onto the new build, so refuse rather than guess.
        raise PublishError(
            f"{_wal(published)} exists: something opened {published} for writing. Open it"
            " read-only; close that writer (or delete the .wal) and publish again"
        )
    checkpoint(working)
    published.parent.mkdir(parents=True, exist_ok=True)
    temporary = published.with_name(f".{published.name}.{os.getpid()}.publishing")
    try:
        shutil.copyfile(working, temporary)
        _fsync(temporary)
        os.replace(temporary, published)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync(published.parent)
    return published


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--working",
        type=Path,
        default=Path(os.environ.get("DBT_DUCKDB_PATH", DEFAULT_WORKING)),
        help=f"the file the build wrote (default $DBT_DUCKDB_PATH, else {DEFAULT_WORKING})",
    )
    parser.add_argument(
        "--published",
        type=Path,
        default=Path(DEFAULT_PUBLISHED),
        help=f"the file readers open (default {DEFAULT_PUBLISHED})",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        publish(args.working, args.published)
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return 1
    size = args.published.stat().st_size / 2**20
    print(
        f"published {args.working} -> {args.published}"
        f" ({size:.0f} MiB in {time.monotonic() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
