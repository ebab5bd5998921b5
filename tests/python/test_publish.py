"""energy_dw.publish: the atomic swap of a finished build onto the file readers open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

from energy_dw.publish import PublishError, publish


def build(path: Path, value: int) -> None:
    """A stand-in build: one table holding `value`."""
    con = duckdb.connect(str(path))
    con.execute(f"create or replace table marts_figure as select {value} as value")
    con.close()


def build_left_in_the_wal(path: Path, value: int) -> None:
    """A build whose last change is only in the write-ahead log: its process ended without
    closing the file (DuckDB checkpoints on a clean close)."""
    script = (
        "import duckdb, os, sys; con = duckdb.connect(sys.argv[1]);"
        " con.execute(\"set checkpoint_threshold = '1TB'\");"
        f" con.execute('create or replace table marts_figure as select {value} as value');"
        " os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)


def read(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select value from marts_figure").fetchone()[0]
    finally:
        con.close()


@pytest.fixture()
def paths(tmp_path):
    (tmp_path / "target").mkdir()
    return tmp_path / "target" / "warehouse.duckdb", tmp_path / "warehouse.duckdb"


def test_publish_swaps_the_whole_build_in_and_leaves_nothing_behind(paths):
    working, published = paths
    build(working, 1)
    publish(working, published)
    assert read(published) == 1
    build(working, 2)
    publish(working, published)
    assert read(published) == 2
    assert sorted(p.name for p in published.parent.iterdir()) == ["target", "warehouse.duckdb"]
    assert sorted(p.name for p in working.parent.iterdir()) == ["warehouse.duckdb"]


def test_a_reader_of_the_old_file_keeps_it_and_a_new_reader_gets_the_new_one(paths):
    working, published = paths
    build(working, 1)
    publish(working, published)
    old_reader = duckdb.connect(str(published), read_only=True)
    build(working, 2)
    publish(working, published)
    assert old_reader.execute("select value from marts_figure").fetchone()[0] == 1
    old_reader.close()
    assert read(published) == 2


def test_a_build_still_in_the_wal_is_checkpointed_before_the_copy(paths):
    working, published = paths
    build(working, 1)
    build_left_in_the_wal(working, 7)
    wal = working.with_name(working.name + ".wal")
    assert wal.exists()
    publish(working, published)
    assert not wal.exists()
    assert read(published) == 7
    assert not published.with_name(published.name + ".wal").exists()


def test_no_working_file_publishes_nothing(paths):
    working, published = paths
    build(working, 1)
    publish(working, published)
    working.unlink()
    with pytest.raises(PublishError, match="no working file"):
        publish(working, published)
    assert read(published) == 1


def test_a_build_still_writing_publishes_nothing(paths):
    working, published = paths
    build(working, 1)
    publish(working, published)
    build(working, 2)
    script = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('open', flush=True);"
        " time.sleep(60)"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", script, str(working)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "open"
        with pytest.raises(PublishError, match="a build running"):
            publish(working, published)
    finally:
        writer.kill()
        writer.wait()
    assert read(published) == 1


def test_a_wal_beside_the_published_file_is_refused(paths):
    working, published = paths
    build(working, 1)
    publish(working, published)
    stray = published.with_name(published.name + ".wal")
    stray.write_bytes(b"a stray writer's log")
    build(working, 2)
    with pytest.raises(PublishError, match="opened .* for writing"):
        publish(working, published)
    stray.unlink()
    assert read(published) == 1  # untouched


def test_the_working_file_is_never_the_published_one(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    build(path, 1)
    with pytest.raises(PublishError, match="published file itself"):
        publish(path, path)


def test_the_command_line_publishes_and_fails_loudly(paths):
    working, published = paths
    command = [sys.executable, "-m", "energy_dw.publish"]
    command += ["--working", str(working), "--published", str(published)]
    missing = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert missing.returncode == 1 and "no working file" in missing.stderr
    build(working, 3)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "published" in done.stdout and read(published) == 3
