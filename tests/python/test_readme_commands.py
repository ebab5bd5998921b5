"""The README works as written: its local DuckDB and metric commands, run as a new user runs them.

Convention (energy_dw/readme_commands.py has the details): every ```sh block of README.md has a
marker on the line before it, `<!-- readme-test: run -->` or `<!-- readme-test: skip: <why> -->`;
a run block may be followed by a ```text block, the output it prints. Each run block is run with
bash, exactly as written, from the root, with no DBT_* or MF_* variable set (a new user's shell),
and must succeed; its output, normalised only as that module says (the `mf` spinner, `mf query`'s
timing line, trailing spaces), must equal the text block.

The root is $README_ROOT: in `make test`, `make readme-check` sets it to a scratch root of the
project (target/ci/readme) where `make build` has just run, while make test's own artifacts sit in
target/ci/. Without it, the repository root, after your own `make build`: this is also the check
that `make test` left the developer's build usable (issue 13: `make test` used to leave its `ci`
artifacts in target/, where `mf` read them for the dev warehouse).
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

from energy_dw.readme_commands import Block, normalise, parse, readme_blocks

BLOCKS = readme_blocks(ROOT)
RUN = [block for block in BLOCKS if block.action == "run"]


def readme_root() -> Path:
    return Path(os.environ.get("README_ROOT", ROOT))


def new_user_env() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DBT_", "MF_")) and name not in {"README_ROOT", "CI"}
    }


@pytest.fixture(scope="module")
def built_root() -> Path:
    root = readme_root()
    missing = [
        path
        for path in ("warehouse.duckdb", "target/warehouse.duckdb", "target/semantic_manifest.json")
        if not (root / path).exists()
    ]
    if missing:
        message = f"{root}: {', '.join(missing)} missing: run `make build` first"
        if os.environ.get("CI") == "true" or "README_ROOT" in os.environ:
            pytest.fail(message)
        pytest.skip(message)
    return root


def test_every_shell_block_is_marked_and_every_skip_says_why():
    assert RUN, "no README block is marked <!-- readme-test: run -->"
    unmarked = [f"README line {b.line}" for b in BLOCKS if b.action is None]
    assert not unmarked, f"```sh blocks without a readme-test marker: {unmarked}"
    unexplained = [f"README line {b.line}" for b in BLOCKS if b.action == "skip" and not b.reason]
    assert not unexplained, f"skipped blocks without a reason: {unexplained}"


def test_the_metric_queries_show_their_output():
    queries = [b for b in RUN if "mf query" in b.text]
    assert len(queries) >= 3, "the README's `mf query` examples must be run"
    assert all(b.expected for b in queries), "each `mf query` example shows what it prints"


@pytest.mark.parametrize("block", RUN, ids=[f"line_{b.line}" for b in RUN])
def test_readme_block_runs_as_written(block: Block, built_root: Path):
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.text],
        cwd=built_root,
        env=new_user_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=600,
        check=False,
    )
    # bytes, decoded here: text mode would turn the spinner's carriage returns into new lines
    shown = normalise(result.stdout.decode("utf-8", "replace"))
    assert result.returncode == 0, f"README line {block.line} failed:\n{block.text}\n\n{shown}"
    if block.expected is not None:
        expected = normalise(block.expected)
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(), shown.splitlines(), "README", "run", lineterm=""
            )
        )
        assert shown == expected, f"README line {block.line} prints otherwise:\n{diff}"


def test_the_dev_artifacts_are_the_dev_build(built_root: Path):
    """What `mf` and `dbt show` read in target/ was written by the dev build, for the working
    file's catalog: never make test's `ci` build (the cause of issue 13, item 7)."""
    working = built_root / "target" / "warehouse.duckdb"
    con = duckdb.connect(str(working), read_only=True)
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
    finally:
        con.close()
    semantic = json.loads((built_root / "target" / "semantic_manifest.json").read_text())
    databases = {m["node_relation"]["database"] for m in semantic["semantic_models"]}
    assert databases == {catalog}, f"the semantic layer points at {databases}, not {catalog}"
    run_results = json.loads((built_root / "target" / "run_results.json").read_text())
    assert run_results["args"].get("target") in (None, "dev"), run_results["args"].get("target")


# The parser and the normalisation: what decides which blocks run and what counts as equal.


def test_parse_reads_markers_and_expected_output():
    markdown = "\n".join(
        [
            "<!-- readme-test: run -->",
            "```sh",
            "echo hi",
            "```",
            "```text",
            "hi",
            "```",
            "",
            "<!-- readme-test: skip: needs a server -->",
            "",
            "```sh",
            "make deploy",
            "```",
            "```sh",
            "echo unmarked",
            "```",
            "```text",
            "not after a run block: no expected output",
            "```",
            "<!-- readme-test: run -->",
            "```sh",
            "true",
            "```",
            "",
            "text between",
            "```text",
            "separated from its command: not its output",
            "```",
        ]
    )
    run, skip, unmarked, last = parse(markdown)
    assert (run.action, run.text, run.expected, run.line) == ("run", "echo hi", "hi", 2)
    assert (skip.action, skip.reason, skip.expected) == ("skip", "needs a server", None)
    assert unmarked.action is None
    assert last.action == "run" and last.expected is None


def test_parse_refuses_an_unclosed_fence():
    with pytest.raises(ValueError, match="never closed"):
        parse("<!-- readme-test: run -->\n```sh\necho hi\n")


def test_normalise_keeps_what_a_terminal_shows_and_drops_only_the_timing():
    raw = (
        "\r\r⠋ Initiating query…\r\r⠙ Initiating query…\r"
        "✔ Success 🦄 - query completed after 0.38 seconds\n"
        "a    b   \n1    2\n\r"
    )
    assert normalise(raw) == "a    b\n1    2"
    assert normalise("✔ Success 🦄 - query completed after 12.5 seconds\nx") == "x"
    assert normalise("x\ny") != normalise("x\nz")
    assert normalise("✔ 🌱 We've found 13 saved queries.") == "✔ 🌱 We've found 13 saved queries."
