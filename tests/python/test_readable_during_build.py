"""Readers keep working while a build runs and is published (issue 13, item 5).

A build writes only the working file; `energy_dw.publish` swaps a complete copy onto the file
readers open (README, "Readers during a build"). Here: the seeds and two metering marts with their
upstream models are built into a working file as of OLD and published; then a loop of readers, each
opening the published file read-only like a dashboard page, reading the as-of date and figures of
two marts in one connection and closing it, runs while the same models are built again as of NEW
and published. Both sides must go through without an error, every page must show one whole build
(old or new, never a mix), and the readers must have seen both.

`ReaderLoop` takes any page-load function, so the same loop can load dashboard pages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

DBT = Path(sys.executable).parent / "dbt"
OLD, NEW = "2026-08-31", "2026-10-31"
# Two metering marts with their upstream (12 models, their tests with cautious selection): both
# keep the reads up to the as-of date, so OLD and NEW builds differ in both.
MARTS = ("fct_metering_consumption_monthly", "fct_metering_customer_consumption_monthly")
SELECT = ["--select", *(f"+{mart}" for mart in MARTS), "--indirect-selection", "cautious"]


@dataclass
class Page:
    opened: float
    closed: float
    result: object = None
    error: str | None = None


@dataclass
class ReaderLoop:
    """Loads pages in a background thread, one after the other, until stopped.

    `load` is one page load: it opens what it reads, reads, closes, and returns what the page
    showed (or raises). Every load is recorded with its start and end time."""

    load: Callable[[], object]
    pause: float = 0.02
    pages: list[Page] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            opened = time.monotonic()
            try:
                page = Page(opened, 0.0, result=self.load())
            except Exception as error:  # every error is a finding, whatever its kind
                page = Page(opened, 0.0, error=f"{type(error).__name__}: {error}")
            page.closed = time.monotonic()
            self.pages.append(page)
            self._stop.wait(self.pause)

    def __enter__(self) -> ReaderLoop:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def wait_for(self, condition: Callable[[Page], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(condition(page) for page in list(self.pages)):
                return True
            time.sleep(0.05)
        return False


def duckdb_page(path: Path) -> Callable[[], tuple]:
    """A page over the published file: the as-of date and a figure of two marts, one connection."""

    def load() -> tuple:
        con = duckdb.connect(str(path), read_only=True)
        try:
            as_of = con.execute("select as_of_date from utilities.util_as_of_date").fetchone()[0]
            figures = [
                con.execute(
                    f"select count(*), max(read_month), sum(consumption_kwh) from marts.{mart}"
                ).fetchone()
                for mart in MARTS
            ]
            return (str(as_of), *(tuple(map(str, row)) for row in figures))
        finally:
            con.close()

    return load


def dbt(work: Path, working: Path, *args: str, variables: dict) -> subprocess.CompletedProcess:
    env = dict(os.environ, DBT_DUCKDB_PATH=str(working), DBT_PROFILES_DIR=str(ROOT))
    return subprocess.run(
        [str(DBT), *args, "--target", "ci", "--target-path", str(work / "target")]
        + ["--log-path", str(work / "logs"), "--vars", json.dumps(variables)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def publish(working: Path, published: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "energy_dw.publish", "--working", str(working)]
        + ["--published", str(published)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def published_old(tmp_path_factory):
    """The seeds and the two marts as of OLD, built into the working file and published."""
    work = tmp_path_factory.mktemp("readable")
    working = work / "build" / "warehouse.duckdb"
    published = work / "published" / "warehouse.duckdb"
    working.parent.mkdir()
    for args in (["seed"], ["run", *SELECT]):
        run = dbt(work, working, *args, variables={"as_of_date": OLD})
        assert run.returncode == 0, run.stdout[-4000:]
    published_run = publish(working, published)
    assert published_run.returncode == 0, published_run.stderr
    return work, working, published


def test_readers_see_whole_builds_while_a_build_runs_and_is_published(published_old):
    work, working, published = published_old
    page = duckdb_page(published)
    old = page()
    assert old[0] == OLD and old[1][1] == old[2][1] == "2026-08-01", old

    with ReaderLoop(page) as readers:
        assert readers.wait_for(lambda p: p.result is not None, timeout=30), "no page loaded"
        build_started = time.monotonic()
        # --full-refresh: an incremental run re-processes the latest load days, not the months
        # between two as-of dates (the reconciliation test of these marts says so).
        full_build = ["build", "--full-refresh", *SELECT]
        build = dbt(work, working, *full_build, variables={"as_of_date": NEW})
        publish_started = time.monotonic()
        published_run = publish(working, published)
        publish_ended = time.monotonic()
        readers.wait_for(lambda p: p.opened > publish_ended and p.result is not None, timeout=30)
    new = page()

    pages = readers.pages
    errors = [page.error for page in pages if page.error]
    mixed = [page.result for page in pages if page.result not in (old, new, None)]
    during_build = [p for p in pages if p.opened > build_started and p.closed < publish_started]
    after = [p for p in pages if p.opened > publish_ended]
    problems = [
        (build.returncode != 0, f"the build failed:\n{build.stdout[-3000:]}"),
        (published_run.returncode != 0, f"publish failed: {published_run.stderr}"),
        (bool(errors), f"{len(errors)} of {len(pages)} page loads failed: {errors[:3]}"),
        (bool(mixed), f"pages that mix two builds or show neither: {mixed[:3]}"),
        (new[0] != NEW or not new[1][1] == new[2][1] == "2026-10-01", f"not the new build: {new}"),
        (new[1] == old[1] or new[2] == old[2], "the two builds must differ in both marts"),
        (not during_build, "no page was loaded while the build ran"),
        (any(p.result != old for p in during_build), "the build showed before it was published"),
        (not after or any(p.result != new for p in after), "a page after the swap was not new"),
    ]
    assert not any(failed for failed, _ in problems), "\n".join(m for f, m in problems if f)
    olds, news = sum(p.result == old for p in pages), sum(p.result == new for p in pages)
    build_s, publish_s = publish_started - build_started, publish_ended - publish_started
    print(
        f"{len(pages)} page loads ({len(during_build)} during the build): {olds} old, {news} new;"
        f" build {build_s:.0f} s, publish {publish_s:.1f} s"
    )
