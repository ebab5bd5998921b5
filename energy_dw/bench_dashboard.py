"""Render times of the dashboard pages in headless Chromium over one warehouse (not a test).

    python -m energy_dw.bench_dashboard --database PATH --dbt-target-path DIR [--runs 5]

For each run and each page it starts the app afresh (`streamlit run dashboard/app.py` on a free
loopback port: no page module imported, no cache filled) and a Chromium on a fresh profile (no
HTTP cache), and measures, from the navigation to the page's URL to its first full render (the
script run finished, no running indicator, no stale element or skeleton, every chart and data frame
drawn; see energy_dw.dashboard_browser):

- cold: that first load, as a person opening the page after a restart sees it (it includes loading
  Streamlit's JavaScript into the new profile);
- visit: then the same page in another new browser (no HTTP cache) on that app, once: a newcomer
  opening the page of a running app;
- warm: `--warm` reloads of the same page in the first tab (browser cache filled, the page's
  Python imported, DuckDB's file pages in the OS cache), the median of them;
- tab: the same page in a new tab of that first browser, once: a new session of the app (its
  script run from the start, as for any reader opening the page) with Streamlit's JavaScript in the
  browser's HTTP cache, as for every reader but the first time they ever open the app;
- script: of the warm reloads, the seconds the server spent in the page's script (from the
  `new_session` to the `script_finished` websocket message): queries and Python, without drawing.

It prints the medians over the runs per page and the maximum over the pages. With
`--slow-queries N` it also runs each page once in-process (Streamlit's AppTest) and prints the N
slowest queries of each, to find what makes a page slow.

The figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from dashboard.pages import PAGES
from energy_dw import dashboard_browser as browser


def measure_page(
    playwright, database: Path, target: Path, page: str, warm: int, log: Path
) -> tuple[float, float, float, list[float], list[float]]:
    """(cold, new visitor, new tab, warm, warm script) seconds of one page on a fresh app and
    browser."""
    with (
        browser.serve(database, target, log=log) as server,
        browser.browser_context(playwright) as context,
    ):
        tab = browser.DashboardPage(context, server.url)
        cold = tab.open(page)
        _check(tab, page)
        warm_times, script_times = [], []
        for _ in range(warm):
            warm_times.append(tab.open(page))
            script_times.append(tab.runs.last_script_seconds)
            _check(tab, page)
        opened = browser.DashboardPage(context, server.url)
        new_tab = opened.open(page)
        _check(opened, page)
        opened.page.close()
        with browser.browser_context(playwright) as other:
            newcomer = browser.DashboardPage(other, server.url)
            visit = newcomer.open(page)
            _check(newcomer, page)
        return cold, visit, new_tab, warm_times, script_times


def _check(tab: browser.DashboardPage, page: str) -> None:
    errors = tab.errors()
    if errors:
        raise browser.DashboardError(f"{page} shows an error: {errors}")


def slow_queries(database: Path, target: Path, pages: Sequence[str], top: int) -> None:
    """Run each page once with AppTest, timing every query it sends to the warehouse."""
    from streamlit.testing.v1 import AppTest

    from dashboard import data

    os.environ["DASHBOARD_DUCKDB_PATH"] = str(database)
    os.environ["DASHBOARD_DBT_TARGET_PATH"] = str(target)
    os.environ.pop("DASHBOARD_TARGET", None)
    original = data.DuckDBReader.query
    timings: list[tuple[float, str]] = []

    def timed(self, sql, params=None):
        start = time.perf_counter()
        try:
            return original(self, sql, params)
        finally:
            timings.append((time.perf_counter() - start, " ".join(sql.split())))

    data.DuckDBReader.query = timed
    try:
        for page in pages:
            timings.clear()
            at = AppTest.from_file(str(browser.APP), default_timeout=600)
            at.run()  # the home page: st.navigation registers the pages' url paths
            timings.clear()
            at.switch_page(PAGES[page].file)
            start = time.perf_counter()
            at.run()
            total = time.perf_counter() - start
            spent = sum(seconds for seconds, _ in timings)
            print(
                f"\n{page}: script {total:.2f} s in-process, {len(timings)} queries, "
                f"{spent:.2f} s in queries; slowest:"
            )
            for seconds, sql in sorted(timings, reverse=True)[:top]:
                print(f"  {seconds:6.3f} s  {sql[:160]}")
    finally:
        data.DuckDBReader.query = original


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, required=True, help="the warehouse DuckDB file")
    parser.add_argument(
        "--dbt-target-path", type=Path, required=True, help="dbt target path of that build"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm", type=int, default=3, help="warm reloads per run (default 3)")
    parser.add_argument("--pages", default=",".join(browser.PAGES), help="comma-separated")
    parser.add_argument("--slow-queries", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    database = args.database.resolve()
    target = args.dbt_target_path.resolve()
    pages = [p for p in args.pages.split(",") if p]
    if not database.exists():
        sys.exit(f"{database} does not exist")
    reason = browser.chromium_missing()
    if reason:
        sys.exit(reason)

    from playwright.sync_api import sync_playwright

    series = ("cold", "visit", "tab", "warm", "script")
    times: dict[str, dict[str, list[float]]] = {name: {p: [] for p in pages} for name in series}
    print(f"dashboard render times over {database} ({database.stat().st_size / 2**20:,.0f} MiB)")
    print(
        f"{args.runs} run(s); each page on a fresh app and browser, {args.warm} reloads, "
        "a new tab, then a new browser"
    )
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as work, sync_playwright() as pw:
        for run in range(1, args.runs + 1):
            for page in pages:
                first, visit, tab, again, scripts = measure_page(
                    pw, database, target, page, args.warm, Path(work) / f"{page}-{run}.log"
                )
                times["cold"][page].append(first)
                times["visit"][page].append(visit)
                times["tab"][page].append(tab)
                times["warm"][page].append(statistics.median(again) if again else float("nan"))
                times["script"][page].append(
                    statistics.median(scripts) if scripts else float("nan")
                )
                print(
                    f"run {run} {page:<24} cold {first:6.2f}  visit {visit:5.2f}  "
                    f"tab {tab:5.2f}  warm "
                    + " ".join(f"{s:.2f}" for s in again)
                    + "  script "
                    + " ".join(f"{s:.2f}" for s in scripts),
                    flush=True,
                )

    medians = {name: {p: statistics.median(times[name][p]) for p in pages} for name in series}
    print(f"\nmedians over {args.runs} run(s), seconds")
    print(f"{'page':<25}" + "".join(f"{name:>8}" for name in series))
    for page in pages:
        print(f"{page:<25}" + "".join(f"{medians[name][page]:8.2f}" for name in series))
    print(f"{'max':<25}" + "".join(f"{max(medians[name].values()):8.2f}" for name in series))
    if args.slow_queries:
        slow_queries(database, target, pages, args.slow_queries)


if __name__ == "__main__":
    main()
