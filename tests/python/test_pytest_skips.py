"""The no-silent-skips plugin (energy_dw/pytest_skips.py): under make test a skip fails unless the
README lists it; run by hand it stays a skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from energy_dw import pytest_skips

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

README = """# project

<!-- allowed-skips:start -->
- `test_allowed.py`: needs a tool that runs elsewhere
<!-- allowed-skips:end -->
"""

TESTS = {
    "test_allowed.py": "import pytest\n\ndef test_a():\n    pytest.skip('tool missing')\n",
    "test_needs_warehouse.py": (
        "import pytest\n\ndef test_b():\n    pytest.skip('warehouse not built')\n"
    ),
    "test_module_skip.py": (
        "import pytest\npytest.importorskip('no_such_module_xyz')\n\ndef test_c():\n    pass\n"
    ),
    "test_passes.py": "def test_d():\n    assert True\n",
    "test_xfail.py": (
        "import pytest\n\n@pytest.mark.xfail(reason='known')\ndef test_e():\n    assert False\n"
    ),
}


def _project(pytester) -> None:
    pytester.makefile(".md", README=README)
    pytester.makepyfile(**{name[:-3]: body for name, body in TESTS.items()})


def _run(pytester, *args):
    # a module-level skip becomes a collection error: let the other files run and be counted
    return pytester.runpytest(
        "--continue-on-collection-errors", "-p", "energy_dw.pytest_skips", *args
    )


def test_strict_mode_fails_every_skip_the_readme_does_not_list(pytester, monkeypatch):
    monkeypatch.setenv("ENERGY_DW_STRICT_SKIPS", "1")
    monkeypatch.delenv("CI", raising=False)
    _project(pytester)
    result = _run(pytester, "-rA")
    outcomes = result.parseoutcomes()
    # test_b (skip in a test) fails, the module skip is an error at collection; the listed skip
    # stays a skip, the passing test passes, the xfail stays an xfail
    assert outcomes.get("failed") == 1, result.stdout.str()
    assert outcomes.get("errors", outcomes.get("error")) == 1, result.stdout.str()
    assert outcomes.get("skipped") == 1, result.stdout.str()
    assert outcomes.get("passed") == 1, result.stdout.str()
    assert outcomes.get("xfailed") == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*test_b skipped under make test (Skipped: warehouse not built)*"])


def test_ci_true_is_strict_too(pytester, monkeypatch):
    monkeypatch.delenv("ENERGY_DW_STRICT_SKIPS", raising=False)
    monkeypatch.setenv("CI", "true")
    _project(pytester)
    outcomes = _run(pytester).parseoutcomes()
    assert outcomes.get("failed") == 1 and outcomes.get("skipped") == 1


def test_by_hand_a_skip_stays_a_skip(pytester, monkeypatch):
    monkeypatch.delenv("ENERGY_DW_STRICT_SKIPS", raising=False)
    monkeypatch.delenv("CI", raising=False)
    _project(pytester)
    outcomes = _run(pytester).parseoutcomes()
    assert "failed" not in outcomes and "errors" not in outcomes
    assert outcomes.get("skipped") == 3 and outcomes.get("passed") == 1


def test_the_readme_lists_each_allowed_skip_with_a_reason_and_an_existing_file():
    allowed = pytest_skips.allowed_skips((ROOT / "README.md").read_text())
    assert allowed, "README's allowed-skips section is empty or missing"
    for entry in allowed:
        assert (ROOT / entry.path).is_file(), f"README allows skips of a missing file {entry.path}"
        assert len(entry.reason) > 20, f"{entry.path}: give the reason and where it runs instead"


def test_a_malformed_allowed_skip_line_is_an_error():
    with pytest.raises(ValueError, match="is not"):
        pytest_skips.allowed_skips(
            "<!-- allowed-skips:start -->\n- tests/x.py no reason\n<!-- allowed-skips:end -->"
        )
    with pytest.raises(ValueError, match="no <!-- allowed-skips:start -->"):
        pytest_skips.allowed_skips("# a README without the section")
