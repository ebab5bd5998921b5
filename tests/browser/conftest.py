"""Fixtures of the browser tests: the app served on loopback over the CI build, headless Chromium.

`make test-dashboard` runs them (not `make pytest`: they live outside tests/python). The app runs
as a subprocess on a free 127.0.0.1 port, over the DuckDB file and dbt target path of the CI
build (DASHBOARD_DUCKDB_PATH / DASHBOARD_DBT_TARGET_PATH, else tests/python's conftest helpers),
and is always stopped. Chromium is Debian's (/usr/bin/chromium or $CHROMIUM) on a fresh profile,
driven by Playwright through `executable_path`.

Without Chromium or the CI build the tests are skipped with the reason, except in CI (CI=true),
where that is a failure.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

import pytest

from energy_dw import dashboard_browser as browser

ROOT = Path(__file__).resolve().parents[2]
PYTHON_TESTS = ROOT / "tests" / "python"
# The page tests of tests/python hold `expected_cards`: importable as test_dashboard_<page>.
if str(PYTHON_TESTS) not in sys.path:
    sys.path.append(str(PYTHON_TESTS))


def _python_conftest():
    """tests/python/conftest.py under another name (this file is `conftest` already)."""
    if "python_tests_conftest" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "python_tests_conftest", PYTHON_TESTS / "conftest.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["python_tests_conftest"] = module
    return sys.modules["python_tests_conftest"]


def warehouse_path() -> Path:
    if os.environ.get("DASHBOARD_DUCKDB_PATH"):
        return Path(os.environ["DASHBOARD_DUCKDB_PATH"])
    return Path(_python_conftest().warehouse_path())


def dbt_target_path() -> Path:
    """The dbt target path of the build: its manifest holds the definitions the pages show
    (tests/python/conftest.py's, which reads DASHBOARD_DBT_TARGET_PATH first)."""
    return Path(_python_conftest().dbt_target_path())


def screenshots_dir() -> Path:
    return Path(os.environ.get("DASHBOARD_SCREENSHOTS", ROOT / "target" / "dashboard"))


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def ci_build() -> tuple[Path, Path]:
    path, target = warehouse_path(), dbt_target_path()
    if not path.exists():
        _unavailable(f"warehouse {path} not built: run `make dbt-ci` (make test-dashboard does)")
    if not (target / "manifest.json").exists():
        _unavailable(f"no manifest.json in {target}: run `make dbt-ci`")
    return path, target


@pytest.fixture(scope="session")
def playwright_instance():
    reason = browser.chromium_missing()
    if reason:
        _unavailable(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_instance):
    with browser.browser_context(playwright_instance) as context:
        yield context


@pytest.fixture(scope="session")
def app_server(ci_build, tmp_path_factory):
    """The app over the CI build, for the whole session."""
    path, target = ci_build
    log = tmp_path_factory.mktemp("app") / "streamlit.log"
    with browser.serve(path, target, log=log) as server:
        yield server


@pytest.fixture()
def dashboard(chromium, app_server):
    """A new tab on the app (a new Streamlit session: every filter at its default)."""
    tab = browser.DashboardPage(chromium, app_server.url)
    yield tab
    tab.page.close()


@pytest.fixture()
def warehouse(ci_build):
    """A read-only connection to the CI build, for the expected figures."""
    import duckdb

    con = duckdb.connect(str(ci_build[0]), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = screenshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The page test modules say `from conftest import ...`; in this session `conftest` is this file, so
# it also offers tests/python/conftest.py's helpers (not its fixtures), unless defined above.
for _name, _value in vars(_python_conftest()).items():
    if (
        not _name.startswith("_")
        and _name not in globals()
        and type(_value).__name__ != "FixtureFunctionDefinition"
        and not hasattr(_value, "_pytestfixturefunction")
    ):
        globals()[_name] = _value
