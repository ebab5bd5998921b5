"""energy_dw.untouched (make test leaves the build output outside target/ci/ as it was) and
energy_dw.scratch_project (the scratch roots `mf` and the README check run in)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from energy_dw import scratch_project, untouched


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("target/\nlogs/\n*.duckdb\n.venv/\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.sql").write_text("select 1")
    (tmp_path / "target" / "ci").mkdir(parents=True)
    (tmp_path / "target" / "manifest.json").write_text("{}")
    (tmp_path / "target" / "ci" / "manifest.json").write_text("{}")
    (tmp_path / "warehouse.duckdb").write_bytes(b"build 1")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text("")
    return tmp_path


def test_snapshot_covers_the_build_output_outside_the_folder_only(repo):
    files = untouched.snapshot(repo, "target/ci")
    assert sorted(files) == ["target/manifest.json", "warehouse.duckdb"]


def test_writes_inside_the_folder_or_to_sources_are_not_differences(repo):
    before = untouched.snapshot(repo, "target/ci")
    (repo / "target" / "ci" / "manifest.json").write_text('{"ci": true}')
    (repo / "target" / "ci" / "ci.duckdb").write_bytes(b"ci")
    (repo / ".venv" / "lib.py").write_text("changed")
    (repo / "models" / "m.sql").write_text("select 2")  # another developer's edit
    assert untouched.differences(before, untouched.snapshot(repo, "target/ci")) == []


def test_every_write_outside_the_folder_is_named(repo):
    before = untouched.snapshot(repo, "target/ci")
    (repo / "target" / "manifest.json").write_text('{"ci": true}')  # same size, other bytes
    (repo / "warehouse.duckdb").unlink()
    (repo / "logs").mkdir()
    (repo / "logs" / "dbt.log").write_text("ci run")
    assert untouched.differences(before, untouched.snapshot(repo, "target/ci")) == [
        "added:   logs/dbt.log",
        "removed: warehouse.duckdb",
        "changed: target/manifest.json",
    ]


def test_the_command_fails_naming_the_file(repo, tmp_path_factory):
    record = tmp_path_factory.mktemp("record") / "untouched.json"
    assert untouched.main(["snapshot", str(record), "--root", str(repo)]) == 0
    assert untouched.main(["verify", str(record), "--root", str(repo)]) == 0
    (repo / "warehouse.duckdb").write_bytes(b"build 2")
    assert untouched.main(["verify", str(record), "--root", str(repo)]) == 1


def test_a_scratch_root_shares_the_sources_and_has_its_own_target(repo, tmp_path_factory):
    dest = tmp_path_factory.mktemp("scratch") / "root"
    scratch_project.create(dest, root=repo)
    assert (dest / "models").resolve() == (repo / "models").resolve()
    assert (dest / ".venv").is_symlink()
    assert not (dest / "warehouse.duckdb").exists()
    assert (dest / "target").is_dir() and not (dest / "target").is_symlink()
    assert list((dest / "target").iterdir()) == []
    scratch_project.create(dest, repo / "target" / "ci", root=repo)  # recreated
    assert (dest / "target" / "manifest.json").read_text() == "{}"
    assert (dest / "target").resolve() == (repo / "target" / "ci").resolve()


def test_a_scratch_root_never_replaces_a_folder_it_did_not_make(repo, tmp_path):
    with pytest.raises(ValueError, match="not a scratch root"):
        scratch_project.create(repo, root=tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="outside the project's sources"):
        scratch_project.create(repo / "models" / "scratch", root=repo)
    assert (repo / "models" / "m.sql").read_text() == "select 1"


def test_several_folders_may_be_written_and_only_those(repo):
    folders = ["target/ci", "target/dashboard"]
    before = untouched.snapshot(repo, folders)
    (repo / "target" / "dashboard").mkdir()
    (repo / "target" / "dashboard" / "metering.png").write_bytes(b"png")
    assert untouched.differences(before, untouched.snapshot(repo, folders)) == []
    assert untouched.differences(before, untouched.snapshot(repo, "target/ci")) == [
        "added:   target/dashboard/metering.png"
    ]
