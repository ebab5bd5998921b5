"""No silent skips: under `make test` (or CI=true) a skipped test is a failure unless the README
lists it.

A test that needs the built warehouse, Chromium or `mf` skips with its reason when a developer
runs one file by hand before building. Under `make test` the same skip would hide a missing
check, so this plugin (loaded for every pytest run through `addopts` in pyproject.toml) turns it
into a failure that quotes the reason. The only skips `make test` accepts are the ones the README
lists between `<!-- allowed-skips:start -->` and `<!-- allowed-skips:end -->`, one bullet each:

    - `tests/python/test_file.py`: why it may skip, and where it runs instead

Strict mode is on when ENERGY_DW_STRICT_SKIPS=1 (the Makefile's `test` target sets it) or CI=true.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- allowed-skips:start -->"
END = "<!-- allowed-skips:end -->"
BULLET = re.compile(r"^- `(?P<path>[^`]+)`: (?P<reason>\S.*)$")


@dataclass(frozen=True)
class AllowedSkip:
    path: str
    reason: str


def strict() -> bool:
    return os.environ.get("ENERGY_DW_STRICT_SKIPS") == "1" or os.environ.get("CI") == "true"


def allowed_skips(readme: str) -> list[AllowedSkip]:
    """The README's list of allowed skips; an entry without a reason is an error."""
    if START not in readme or END not in readme:
        raise ValueError(f"README has no {START} ... {END} section")
    section = readme.split(START, 1)[1].split(END, 1)[0]
    out: list[AllowedSkip] = []
    for line in section.splitlines():
        if not line.strip():
            continue
        match = BULLET.match(line.strip())
        if not match:
            raise ValueError(f"allowed-skips line is not '- `path`: reason': {line!r}")
        out.append(AllowedSkip(match["path"], match["reason"]))
    return out


def is_allowed(nodeid: str, allowed: list[AllowedSkip]) -> bool:
    file = nodeid.split("::", 1)[0]
    return any(file == entry.path for entry in allowed)


def _reason(longrepr) -> str:
    # a skip's longrepr is (file, line, "Skipped: reason")
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _readme_allowed(config) -> list[AllowedSkip]:
    cached = getattr(config, "_energy_dw_allowed_skips", None)
    if cached is None:
        readme = Path(config.rootpath) / "README.md"
        cached = allowed_skips(readme.read_text()) if readme.exists() else []
        config._energy_dw_allowed_skips = cached
    return cached


def _enforce(report, config) -> None:
    if not (report.skipped and strict()):
        return
    if hasattr(report, "wasxfail"):
        return  # an expected failure is not a skip
    if is_allowed(report.nodeid, _readme_allowed(config)):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"{report.nodeid} skipped under make test ({_reason(report.longrepr)}); a test may skip "
        "there only if README.md lists it between the allowed-skips markers"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _enforce(outcome.get_result(), item.config)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _enforce(outcome.get_result(), collector.config)
