"""Benchmark of the warehouse at a generated scale: full build, daily refresh, lower bound.

    python -m energy_dw.bench --scale 0.1 [--runs 3] [--work /tmp/energy_dw_bench]

For a scale S it prints:

- generation: the raw Parquet files, generated once per scale into `data/scale_<S>/` and reused;
- full build: `dbt run --full-refresh` of the whole project from those files as they stood before
  their last load day (`raw_loaded_before`), wall time and peak memory (RSS of the dbt process
  tree, sampled every 50 ms), and which models were running at the peak;
- daily refresh: `dbt run` with all the data, i.e. one new load day plus the late rows and SCD2
  changes loaded that day, the incremental models refreshing only what changed (after an
  untimed `dbt parse`: a scheduler's daily run has the same variables every day and parses
  partially, while here they change from the full build's);
- lower bound: DuckDB reading once every raw column the project uses (the source columns that
  the staging models name), the physical floor of any build's reads;
- write floor: every table the full build made (models materialized as a table, incremental or
  Python) copied once, table by table, into an empty DuckDB file, the physical floor of its
  writes (the outputs are larger than the inputs, so the read bound alone undersells the floor);
- medians over `--runs` runs, and the ratios the targets of issues 6 and 15 are stated in (the
  full build against the read bound, and against the read + write floor);
- each model's median time in the full build and in the refresh, written to
  `<work>/scale_<S>/model_seconds.json`; `--table` renders those of every measured scale as one
  Markdown table (docs/benchmarks.md, "Where the time goes"):

    python -m energy_dw.bench --table [--work /tmp/energy_dw_bench] [--top 14]

Nothing here is a test: the figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).parent / "dbt"
START_LINE = re.compile(r"START (?:sql|python) \w+ model ([\w.]+)")
DONE_LINE = re.compile(r"(?:OK created|ERROR creating) (?:sql|python) \w+ model ([\w.]+)")
MODEL_TIME = re.compile(r"OK created (?:sql|python) \w+ model ([\w.]+) .* in ([0-9.]+)s\]")


@dataclass
class Measure:
    seconds: float
    peak_rss_bytes: int
    at_peak: list[str] = field(default_factory=list)
    model_seconds: dict[str, float] = field(default_factory=dict)
    peak_spill_bytes: int = 0


def _folder_bytes(folder: Path) -> int:
    """Bytes of the files in a folder (DuckDB's spill files), 0 when it does not exist."""
    total = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                total += entry.stat().st_size
    return total


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        tree = [process, *process.children(recursive=True)]
    except psutil.Error:  # the process ended while being sampled
        return 0
    for proc in tree:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


def run_measured(
    cmd: list[str], env: dict[str, str], log: Path | None = None, spill: Path | None = None
) -> Measure:
    """Run a command; wall time, peak RSS of its process tree, models running at the peak, and
    the peak size of DuckDB's spill folder `spill` (sampled every 0.5 s) when given."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    ps = psutil.Process(proc.pid)
    running: set[str] = set()
    state = {"peak": 0, "at_peak": [], "spill": 0}
    lines: list[str] = []

    def sample() -> None:
        tick = 0
        while proc.poll() is None:
            rss = _tree_rss(ps)
            if rss > state["peak"]:
                state["peak"], state["at_peak"] = rss, sorted(running)
            if spill is not None and tick % 10 == 0:
                state["spill"] = max(state["spill"], _folder_bytes(spill))
            tick += 1
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if match := START_LINE.search(line):
            running.add(match.group(1))
        elif match := DONE_LINE.search(line):
            running.discard(match.group(1))
    proc.wait()
    sampler.join()
    seconds = time.perf_counter() - started
    if log is not None:
        log.write_text("".join(lines))
    if proc.returncode != 0:
        tail = "".join(lines[-40:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    model_seconds = {
        match.group(1): float(match.group(2)) for match in map(MODEL_TIME.search, lines) if match
    }
    return Measure(seconds, state["peak"], state["at_peak"], model_seconds, state["spill"])


def generate(scale: str, data: Path) -> Measure | None:
    """Generate the raw files of a scale once; None when they are already there."""
    if (data / "_manifest.json").exists():
        return None
    if data.exists():
        shutil.rmtree(data)
    cmd = [sys.executable, "-m", "energy_dw.generator", "--scale", scale, "--format", "parquet"]
    return run_measured([*cmd, "--out", str(data), "--quiet"], dict(os.environ))


def last_load_day(data: Path) -> str:
    reads = data / "soe_junifer_model.w_actual_meterreads.parquet"
    (day,) = duckdb.execute(
        f"select max(cast(meta_loaded_at as date)) from read_parquet('{reads}')"
    ).fetchone()
    return str(day)


def used_raw_columns(manifest: dict) -> dict[tuple[str, str], list[str]]:
    """(dataset, table) -> the source columns named by the staging models that read it."""
    used: dict[tuple[str, str], list[str]] = {}
    for source in manifest["sources"].values():
        if source["package_name"] != manifest["metadata"].get(
            "project_name", source["package_name"]
        ):
            continue
        readers = [
            node["raw_code"]
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and source["unique_id"] in node["depends_on"]["nodes"]
        ]
        # is_current_version() reads the SCD2 validity end without naming it
        code = "\n".join(readers).replace("is_current_version()", "meta_effective_to_timestamp")
        names = [
            column
            for column in source["columns"]
            if re.search(rf"\b{re.escape(column)}\b", code, re.IGNORECASE)
        ]
        if names:
            used[(source["schema"], source["identifier"])] = names
    return used


def lower_bound(data: Path, manifest: dict) -> float:
    """Seconds DuckDB takes to read every used raw column once (all cores)."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    started = time.perf_counter()
    for (dataset, table), columns in used_raw_columns(manifest).items():
        path = data / f"{dataset}.{table}.parquet"
        # hash() makes DuckDB decode every value (count() would be answered from the statistics)
        reads = ", ".join(f'sum(hash("{column}"))' for column in columns)
        con.execute(f"select {reads} from read_parquet('{path}')").fetchall()
    seconds = time.perf_counter() - started
    con.close()
    return seconds


BUILT = {"table", "incremental"}


def built_tables(manifest: dict) -> list[tuple[str, str]]:
    """(schema, table) of every model the build writes as a table (SQL or Python)."""
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] in BUILT
    )


@dataclass
class Floor:
    seconds: float
    tables: int
    rows: int
    bytes: int


def write_floor(db: Path, manifest: dict, scratch: Path) -> Floor:
    """Seconds to write every built table once: each copied into an empty DuckDB file.

    One connection with the profile's memory limit attaches the build read-only and the empty
    file, and copies the tables one after the other (`create table as select *`, DuckDB using
    every core within each copy), ending with a checkpoint, so the time includes reading the
    built tables back from DuckDB's own storage (cheap next to writing them) and putting every
    row on disk.
    """
    for stale in scratch.parent.glob(scratch.name + "*"):
        stale.unlink()
    con = duckdb.connect(str(scratch))
    con.execute("set enable_progress_bar = false")
    con.execute(f"set memory_limit = '{os.environ.get('DBT_DUCKDB_MEMORY_LIMIT', '10GB')}'")
    con.execute(f"attach '{db}' as built (read_only)")
    tables = built_tables(manifest)
    started = time.perf_counter()
    rows = 0
    for schema, table in tables:
        con.execute(f'create schema if not exists "{schema}"')
        con.execute(
            f'create table "{schema}"."{table}" as select * from built."{schema}"."{table}"'
        )
        (count,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
        rows += count
    con.execute("checkpoint")
    con.close()
    seconds = time.perf_counter() - started
    size = scratch.stat().st_size
    for written in scratch.parent.glob(scratch.name + "*"):
        written.unlink()
    return Floor(seconds, len(tables), rows, size)


def _gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def model_medians(fulls: list[Measure], dailies: list[Measure]) -> dict[str, dict[str, float]]:
    """Each model's median seconds in the full builds and in the refreshes (None: not run)."""

    def median(measures: list[Measure], name: str) -> float | None:
        times = [m.model_seconds[name] for m in measures if name in m.model_seconds]
        return statistics.median(times) if times else None

    names = sorted({name for m in fulls + dailies for name in m.model_seconds})
    return {name: {"full": median(fulls, name), "refresh": median(dailies, name)} for name in names}


def model_table(work: Path, top: int) -> str:
    """A Markdown table of the slowest models of the largest measured scale, at every scale:
    full build and refresh seconds, the growth between the two largest scales, the refresh's
    share of the full build."""
    measured = {
        folder.name.removeprefix("scale_"): json.loads((folder / "model_seconds.json").read_text())
        for folder in sorted(work.glob("scale_*"))
        if (folder / "model_seconds.json").exists()
    }
    if not measured:
        raise SystemExit(f"no model_seconds.json under {work}: run a benchmark first")
    scales = sorted(measured, key=float)
    largest = measured[scales[-1]]
    slowest = sorted(largest, key=lambda name: -(largest[name]["full"] or 0))[:top]

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    head = ["model"]
    for scale in scales:
        head += [f"{scale} full", f"{scale} refresh"]
    if len(scales) > 1:
        head.append(f"growth {scales[-2]} to {scales[-1]}")
    head.append(f"refresh / full at {scales[-1]}")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in slowest:
        row = [f"`{name.split('.')[-1]}`"]
        for scale in scales:
            times = measured[scale].get(name, {})
            row += [cell(times.get("full")), cell(times.get("refresh"))]
        full, refresh = largest[name]["full"], largest[name]["refresh"]
        if len(scales) > 1:
            before = measured[scales[-2]].get(name, {}).get("full")
            row.append(f"{full / before:.0f}x" if full and before else "-")
        row.append(f"{100 * refresh / full:.0f}%" if full and refresh is not None else "-")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", help="generator scale (1 = production size)")
    parser.add_argument("--runs", type=int, default=3, help="runs to take the median of")
    parser.add_argument("--work", default="/tmp/energy_dw_bench", help="DuckDB files and logs")
    parser.add_argument("--data", default=None, help="raw files (default: data/scale_<S>)")
    parser.add_argument(
        "--table", action="store_true", help="print the per-model table of the measured scales"
    )
    parser.add_argument("--top", type=int, default=14, help="models in the table")
    args = parser.parse_args(argv)
    if args.table:
        print(model_table(Path(args.work), args.top))
        return
    if not args.scale:
        parser.error("--scale is required (or --table)")

    data = Path(args.data) if args.data else ROOT / "data" / f"scale_{args.scale}"
    work = Path(args.work) / f"scale_{args.scale}"
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"scale {args.scale}: {platform.node()}, {os.cpu_count()} cores, "
        f"{_gib(psutil.virtual_memory().total)} RAM, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )

    gen = generate(args.scale, data)
    size = sum(f.stat().st_size for f in data.glob("*.parquet"))
    rows = json.loads((data / "_manifest.json").read_text())["row_counts"]
    made = "cached" if gen is None else f"{gen.seconds:.1f} s, peak {_gib(gen.peak_rss_bytes)}"
    print(
        f"generation: {made} ({data}, {size / 2**20:.0f} MiB Parquet, "
        f"{rows['soe_junifer_model.w_actual_meterreads']:,} meter reads)"
    )

    day = last_load_day(data)
    db = work / "bench.duckdb"
    # DuckDB spills to <database>.tmp beside the file (its default temp_directory)
    spill = work / "bench.duckdb.tmp"
    env = dict(os.environ, DBT_PROFILES_DIR=str(ROOT), DBT_DUCKDB_PATH=str(db))
    common = ["--target", "ci", "--target-path", str(work / "target"), "--log-path", str(work)]
    before = json.dumps({"raw_path": str(data), "raw_loaded_before": f"{day} 00:00:00"})
    everything = json.dumps({"raw_path": str(data)})

    manifest_path = work / "target" / "manifest.json"
    fulls: list[Measure] = []
    dailies: list[Measure] = []
    bounds: list[float] = []
    floors: list[Floor] = []
    for run in range(1, args.runs + 1):
        for stale in work.glob("bench.duckdb*"):
            # the database, its WAL, and DuckDB's spill folder (<db>.tmp) left by a killed run
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
        run_measured([str(DBT), "seed", *common, "--vars", before], env)
        full = run_measured(
            [str(DBT), "run", "--full-refresh", *common, "--vars", before],
            env,
            work / f"full_{run}.log",
            spill=spill,
        )
        floor = write_floor(db, json.loads(manifest_path.read_text()), work / "floor.duckdb")
        # the scheduler runs with the same variables every day, so its dbt parses partially;
        # here the variables change from the full build's, so parse once, untimed
        run_measured([str(DBT), "parse", *common, "--vars", everything], env)
        daily = run_measured(
            [str(DBT), "run", *common, "--vars", everything],
            env,
            work / f"daily_{run}.log",
            spill=spill,
        )
        manifest = json.loads(manifest_path.read_text())
        bound = lower_bound(data, manifest)
        fulls.append(full)
        dailies.append(daily)
        bounds.append(bound)
        floors.append(floor)
        print(
            f"run {run}: full build {full.seconds:.1f} s (peak {_gib(full.peak_rss_bytes)}, "
            f"running at peak: {', '.join(full.at_peak) or '-'}; DuckDB spill peak "
            f"{_gib(full.peak_spill_bytes)}); daily refresh {daily.seconds:.1f} s "
            f"(peak {_gib(daily.peak_rss_bytes)}, spill {_gib(daily.peak_spill_bytes)}); "
            f"lower bound {bound:.2f} s; write floor {floor.seconds:.1f} s"
        )

    full_s = statistics.median(m.seconds for m in fulls)
    daily_s = statistics.median(m.seconds for m in dailies)
    bound_s = statistics.median(bounds)
    floor_s = statistics.median(f.seconds for f in floors)
    peak = max(m.peak_rss_bytes for m in fulls)
    peak_spill = max(m.peak_spill_bytes for m in fulls)
    columns = sum(len(c) for c in used_raw_columns(manifest).values())
    incremental = {
        f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }
    inc_full = statistics.median(
        sum(t for name, t in m.model_seconds.items() if name in incremental) for m in fulls
    )
    inc_daily = statistics.median(
        sum(t for name, t in m.model_seconds.items() if name in incremental) for m in dailies
    )
    (work / "model_seconds.json").write_text(
        json.dumps(model_medians(fulls, dailies), indent=1) + "\n"
    )
    slowest = sorted(fulls[-1].model_seconds.items(), key=lambda item: -item[1])[:6]
    print(f"median of {args.runs} run(s), replay day {day}, {columns} raw columns in the bound:")
    print(
        f"  full build      {full_s:8.1f} s   peak memory {_gib(peak)}, "
        f"DuckDB spill peak {_gib(peak_spill)}"
    )
    print(f"  daily refresh   {daily_s:8.1f} s   {100 * daily_s / full_s:.1f}% of the full build")
    print(f"  lower bound     {bound_s:8.2f} s   full build = {full_s / bound_s:.1f}x the bound")
    print(
        f"  write floor     {floor_s:8.2f} s   {floors[-1].tables} built tables, "
        f"{floors[-1].rows:,} rows, {floors[-1].bytes / 2**20:.0f} MiB written once"
    )
    print(
        f"  read + write    {bound_s + floor_s:8.2f} s   full build = "
        f"{full_s / (bound_s + floor_s):.1f}x the read + write floor"
    )
    print(
        f"  the {len(incremental)} incremental models: {inc_full:.1f} s of model time in the full "
        f"build, {inc_daily:.1f} s in the daily refresh"
        + (f" ({100 * inc_daily / inc_full:.1f}%)" if inc_full else "")
    )
    print("  slowest models of the full build: " + ", ".join(f"{n} {t:.1f} s" for n, t in slowest))
    slowest = sorted(dailies[-1].model_seconds.items(), key=lambda item: -item[1])[:6]
    print("  slowest models of the refresh: " + ", ".join(f"{n} {t:.1f} s" for n, t in slowest))


if __name__ == "__main__":
    main()
