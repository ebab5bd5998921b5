"""A scratch root of this project: symlinks to every source entry, its own build output.

`mf` reads `<project>/target/semantic_manifest.json` and nothing else (it ignores
DBT_TARGET_PATH and --target-path), so a step that keeps its artifacts elsewhere (make test:
`target/ci/`) points `mf` at a scratch root whose `target` is that folder
(`DBT_PROJECT_DIR=<scratch> mf ...`). The README check builds in a scratch root with an empty
`target/` of its own, so it never touches the developer's build.

Usage: python -m energy_dw.scratch_project DEST [--target-path DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Build output and per-checkout state: never shared with a scratch root.
LEFT_OUT = {".git", "target", "logs", "warehouse.duckdb", "warehouse.duckdb.wal"}
MARKER = ".scratch_project"  # only a folder holding it is ever removed and recreated


def create(dest: Path, target_path: Path | None = None, root: Path = ROOT) -> Path:
    """(Re)create `dest`: a symlink per top-level entry of `root` (.venv included, so the
    README's `.venv/bin/...` commands run as written), and `target` as a symlink to
    `target_path` or, without it, an empty folder. Returns `dest`."""
    dest, root = Path(dest).absolute(), Path(root).absolute()
    if root == dest or root in dest.parents and not dest.is_relative_to(root / "target"):
        raise ValueError(f"{dest}: a scratch root must lie outside the project's sources")
    if dest.exists() and any(dest.iterdir()):
        if not (dest / MARKER).is_file():
            raise ValueError(f"{dest} exists and is not a scratch root: not touching it")
        shutil.rmtree(dest)  # symlinks are removed, never followed
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MARKER).write_text(f"a scratch root of {root} (energy_dw.scratch_project)\n")
    for entry in sorted(root.iterdir()):
        if entry.name in LEFT_OUT or entry.name.endswith((".duckdb", ".duckdb.wal")):
            continue
        (dest / entry.name).symlink_to(entry)
    if target_path is None:
        (dest / "target").mkdir()
    else:
        target_path = Path(target_path).absolute()
        target_path.mkdir(parents=True, exist_ok=True)
        (dest / "target").symlink_to(target_path, target_is_directory=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--target-path", type=Path, help="what `target` points to")
    args = parser.parse_args(argv)
    create(args.dest, args.target_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
