"""Prove a run left the build output outside one folder untouched.

`make test` keeps everything it writes under `target/ci/`. It takes a snapshot of the other
build output first (the git-ignored files: `target/manifest.json`, `target/run_results.json`,
`target/semantic_manifest.json`, `target/warehouse.duckdb`, `warehouse.duckdb`, `logs/`, ...)
and verifies it at the end: a file added, removed or changed there fails the run, naming it.
So after `make build` then `make test`, what `make build` made is byte for byte as it was.

Files are compared by SHA-256 (by size, modification time and inode above 256 MiB, such as
generated data sets). Left out: the folder itself, virtualenvs, tool caches, `__pycache__`.

Usage: python -m energy_dw.untouched snapshot FILE [--inside target/ci [--inside DIR ...]]
       python -m energy_dw.untouched verify FILE

`make test` also writes the dashboards' screenshots into `target/dashboard/` (where the issue and
the README show them), so it names both folders.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {".git", ".pytest_cache", ".ruff_cache", "__pycache__", "node_modules"}
HASH_LIMIT = 256 * 2**20
# Without git (an unpacked archive): the build output this project writes.
FALLBACK = ["target", "logs", "warehouse.duckdb", "warehouse.duckdb.wal", "data", "out"]


def _folders(inside: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f.strip("/") for f in ([inside] if isinstance(inside, str) else inside))


def _skipped(relative: str, inside: str | list[str] | tuple[str, ...]) -> bool:
    parts = relative.split("/")
    if any(relative == f or relative.startswith(f + "/") for f in _folders(inside)):
        return True
    if parts[0].startswith(".venv") or parts[0].endswith(".egg-info"):
        return True
    return any(part in SKIPPED for part in parts)


def ignored_entries(root: Path) -> list[str]:
    """The git-ignored files and folders at the top of their ignored subtree."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [name for name in FALLBACK if (root / name).exists()]
    return [entry.rstrip("/") for entry in out.decode().split("\0") if entry]


def _fingerprint(path: Path) -> str:
    stat = path.lstat()
    if path.is_symlink():
        return f"symlink:{os.readlink(path)}"
    if stat.st_size > HASH_LIMIT:
        return f"stat:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def snapshot(
    root: Path = ROOT, inside: str | list[str] | tuple[str, ...] = "target/ci"
) -> dict[str, str]:
    """{relative path: fingerprint} of every ignored file outside the folder(s) `inside`."""
    inside = _folders(inside)
    files: dict[str, str] = {}
    for entry in ignored_entries(root):
        top = root / entry
        if _skipped(entry, inside):
            continue
        # `inside` may sit below an ignored folder (target/ci in target/): the walk skips it.
        paths = [top] if not top.is_dir() or top.is_symlink() else None
        if paths is None:
            paths = []
            for folder, dirs, names in os.walk(top):
                relative_folder = Path(folder).relative_to(root).as_posix()
                dirs[:] = [d for d in dirs if not _skipped(f"{relative_folder}/{d}", inside)]
                paths += [Path(folder) / name for name in names]
                paths += [Path(folder) / d for d in dirs if (Path(folder) / d).is_symlink()]
        for path in paths:
            relative = path.relative_to(root).as_posix()
            if not _skipped(relative, inside) and (path.is_file() or path.is_symlink()):
                files[relative] = _fingerprint(path)
    return files


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    lines = [f"added:   {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"removed: {p}" for p in sorted(before.keys() - after.keys())]
    common = sorted(before.keys() & after.keys())
    lines += [f"changed: {p}" for p in common if before[p] != after[p]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["snapshot", "verify"])
    parser.add_argument("file", type=Path, help="where the snapshot is kept")
    parser.add_argument(
        "--inside", action="append", help="a folder the run may write (default: target/ci)"
    )
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    args.inside = args.inside or ["target/ci"]
    if args.action == "snapshot":
        files = snapshot(args.root, args.inside)
        args.file.parent.mkdir(parents=True, exist_ok=True)
        args.file.write_text(json.dumps({"inside": args.inside, "files": files}, indent=1))
        where = ", ".join(args.inside)
        print(f"untouched: {len(files)} build output file(s) outside {where} recorded")
        return 0
    recorded = json.loads(args.file.read_text())
    found = differences(recorded["files"], snapshot(args.root, recorded["inside"]))
    where = ", ".join(f"{f}/" for f in _folders(recorded["inside"]))
    if found:
        print(f"FAIL: the run wrote build output outside {where}:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in found), file=sys.stderr)
        return 1
    print(f"untouched: {len(recorded['files'])} build output file(s) outside {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
