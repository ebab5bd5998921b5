"""The Opower export: file name, gzip, header, column order, tab separation, dates, order."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from energy_dw import opower_export as ox

FEED_DDL = """
create schema marts;
create schema utilities;
create table utilities.util_as_of_date (as_of_date date, as_of_origin varchar);
insert into utilities.util_as_of_date values ('2026-10-31', 'latest load day in the data');
create table marts.fct_opower_usage_feed (
    usage_interval_id varchar, customer_id bigint, premise_id bigint, account_id bigint,
    active_date date, inactive_date date, service_point_id varchar, fuel varchar,
    date_from date, date_to date, duration integer, usage_value decimal(18, 3),
    usage_charge decimal(18, 2), has_rule_break boolean, rate_code varchar
);
insert into marts.fct_opower_usage_feed values
    ('b', 100, 1000, 10, '2013-01-15', null, '1900000000001', 'ELEC',
     '2013-10-01', '2013-10-28', 28, -12.5, -3.1, false, 'E-STD-VAR'),
    ('a', 100, 1000, 10, '2013-01-15', null, '1900000000001', 'ELEC',
     '2013-09-01', '2013-09-30', 30, 250, 62.5, false, 'E-FIX-12M'),
    ('c', 101, 1000, 11, '2013-02-01', '2013-11-01', '7000000001', 'GAS',
     '2013-10-01', '2013-10-31', 31, 0, 0, true, null);
"""


@pytest.fixture()
def small_warehouse(tmp_path):
    import duckdb

    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute(FEED_DDL)
    con.close()
    return path


def read_lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines()


def test_file_name_rejects_a_version_below_one():
    assert ox.file_name("soenergy", 1, dt.datetime(2026, 11, 1)).startswith("opwr_soenergy_res_1_")
    for version in (0, -1):
        with pytest.raises(ValueError):
            ox.file_name("soenergy", version, dt.datetime(2026, 11, 1))


def test_file_name_uses_the_as_of_moment():
    moment = ox.as_of_moment(dt.date(2026, 10, 31))
    assert moment == dt.datetime(2026, 11, 1, 0, 0, 0)
    assert ox.file_name("soenergy", 3, moment) == "opwr_soenergy_res_3_usage_20261101000000.gz"


@pytest.mark.parametrize("utility", ["SoEnergy", "so_energy", "", "a b"])
def test_file_name_rejects_odd_utility_names(utility):
    with pytest.raises(ValueError):
        ox.file_name(utility, 1, dt.datetime(2026, 11, 1))


def test_format_value():
    assert ox.format_value(dt.date(2013, 10, 28), "date") == "20131028"
    assert ox.format_value(None, "date") == ""
    assert ox.format_value(28, "int") == "28"
    assert ox.format_value(-12.5, "kwh") == "-12.500"
    assert ox.format_value(62.5, "gbp") == "62.50"
    with pytest.raises(ValueError):
        ox.format_value("a\tb", "text")


def test_export_writes_the_documented_file(small_warehouse, tmp_path):
    out = tmp_path / "out"
    assert ox.main(["--out", str(out), "--database", str(small_warehouse), "--version", "2"]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["opwr_soenergy_res_2_usage_20261101000000.gz"]
    path = out / files[0]
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # gzip magic
    raw = gzip.decompress(path.read_bytes())
    # lines end with LF only (never CRLF), the last one too: checked on the bytes, not in text mode
    assert b"\r" not in raw
    assert raw.endswith(b"\n") and not raw.endswith(b"\n\n")
    assert raw.count(b"\n") == 4  # the header and three rows
    lines = read_lines(path)
    assert lines[0].split("\t") == [
        "customer_id",
        "premise_id",
        "account_id",
        "active_date",
        "inactive_date",
        "service_point_id",
        "fuel",
        "date_to",
        "duration",
        "usage_value",
        "usage_charge",
        "rate_code",
    ]
    body = [line.split("\t") for line in lines[1:]]
    assert len(body) == 3  # every row, flagged or not
    assert all(len(fields) == len(ox.COLUMNS) for fields in body)
    # sorted by service point then date_to; 003's example row: date_to 20131028, duration 28
    assert [f[7] for f in body] == ["20130930", "20131028", "20131031"]
    assert body[1] == [
        "100",
        "1000",
        "10",
        "20130115",
        "",
        "1900000000001",
        "ELEC",
        "20131028",
        "28",
        "-12.500",
        "-3.10",
        "E-STD-VAR",
    ]
    # a rate change: the same account and active_date, the new rate code from the period whose
    # date_to is on or after the change; a row without a rate code is written with it empty
    assert [f[11] for f in body] == ["E-FIX-12M", "E-STD-VAR", ""]
    assert body[0][:4] == body[1][:4]
    assert body[2][4] == "20131101"


def test_export_is_reproducible(small_warehouse, tmp_path):
    first = ox.export(small_warehouse, tmp_path / "one", "soenergy", 1)
    second = ox.export(small_warehouse, tmp_path / "two", "soenergy", 1)
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()
    # Two exports in the same second with the same name would match even with a time or a file
    # name in the gzip header: the header itself (RFC 1952) must carry neither. Bytes 0-1 magic,
    # 2 deflate, 3 flags (FNAME 0x08, FCOMMENT 0x10, FEXTRA 0x04 all unset), 4-7 MTIME = 0.
    header = first.read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"
    assert header[3] == 0, f"gzip flags {header[3]:#04x}: a file name or comment is stored"
    assert header[4:8] == b"\x00\x00\x00\x00", "gzip MTIME is set: the bytes depend on the clock"


TIED_ROWS = 20


def test_rows_tied_on_service_point_and_date_to_are_sorted_by_account(tmp_path):
    """The file's order is service point, date_to, then account_id (the documented tiebreak)."""
    import random

    import duckdb

    path = tmp_path / "ties.duckdb"
    con = duckdb.connect(str(path))
    con.execute(FEED_DDL)
    accounts = list(range(200, 200 + TIED_ROWS))
    random.Random(7).shuffle(accounts)
    for n, account in enumerate(accounts):
        con.execute(
            "insert into marts.fct_opower_usage_feed values (?, 102, 2000, ?, '2013-01-01', null,"
            " '1900000000009', 'ELEC', '2013-10-01', '2013-10-31', 31, 1, 1, false, 'E-STD-VAR')",
            [f"t{n}", account],
        )
    rows, _ = ox.read_feed(con)
    con.close()
    tied = [row[2] for row in rows if row[5] == "1900000000009"]
    assert tied == sorted(accounts)


def test_export_of_the_built_warehouse(warehouse, tmp_path):
    """On the DuckDB build: one line per feed row plus the header, dates as yyyymmdd."""
    # the feed is part of every build: a failure to read it is a failure, never a skip
    rows, as_of_date = ox.read_feed(warehouse)
    assert rows, "fct_opower_usage_feed is empty"
    path = ox.write_file(rows, tmp_path, "soenergy", 1, ox.as_of_moment(as_of_date))
    lines = read_lines(path)
    (count,) = warehouse.execute("select count(*) from marts.fct_opower_usage_feed").fetchone()
    assert len(lines) == count + 1
    assert path.name.endswith(f"{as_of_date + dt.timedelta(days=1):%Y%m%d}000000.gz")
    date_to = [line.split("\t")[7] for line in lines[1:]]
    assert all(len(d) == 8 and d.isdigit() for d in date_to)
    # every row of the built feed carries the rate code in force on its date_to
    assert lines[0].split("\t")[-1] == "rate_code"
    assert all(line.split("\t")[-1] for line in lines[1:]), "a feed row without a rate code"


# --- what the mutation testing of this module found untested (docs/mutation/python.md) ---------


def test_format_value_reads_a_date_written_as_text_and_an_int_kind_from_a_float():
    assert ox.format_value("2013-10-28", "date") == "20131028"
    assert ox.format_value("2013-10-28 23:59:59", "date") == "20131028"  # a timestamp's text
    assert ox.format_value(dt.datetime(2013, 10, 28, 6), "date") == "20131028"
    assert ox.format_value(28.0, "int") == "28"  # never "28.0"
    assert ox.format_value("E-STD-VAR", "text") == "E-STD-VAR"


def test_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"field 'a\\tb' contains a tab or a line break"):
        ox.format_value("a\tb", "text")
    with pytest.raises(ValueError, match="expected 12 fields, got 2"):
        ox.format_row(["a", "b"])
    with pytest.raises(ValueError, match="utility 'So': lower-case letters and digits only"):
        ox.file_name("So", 1, dt.datetime(2026, 11, 1))
    with pytest.raises(ValueError, match="version 0: a positive integer"):
        ox.file_name("soenergy", 0, dt.datetime(2026, 11, 1))


def test_write_file_creates_nested_folders_and_reuses_an_existing_one(tmp_path):
    moment = dt.datetime(2026, 11, 1)
    nested = tmp_path / "a" / "b"
    first = ox.write_file([], nested, "soenergy", 1, moment)
    second = ox.write_file([], nested, "soenergy", 2, moment)  # the folder exists already
    assert first.parent == second.parent == nested
    assert read_lines(first) == ["\t".join(ox.HEADER)]


@pytest.mark.parametrize(
    "rows",
    [["('2026-10-31', 'a'), ('2026-10-30', 'b')"], ["(null, 'no day')"]],
    ids=["two", "null"],
)
def test_read_feed_needs_exactly_one_as_of_day(small_warehouse, rows):
    import duckdb

    con = duckdb.connect(str(small_warehouse))
    con.execute("delete from utilities.util_as_of_date")
    con.execute(f"insert into utilities.util_as_of_date values {rows[0]}")
    with pytest.raises(RuntimeError, match="utilities.util_as_of_date must hold exactly one as-of"):
        ox.read_feed(con)
    con.close()


def test_export_opens_the_warehouse_read_only(small_warehouse, tmp_path):
    """A reader (a dashboard) holds the file open read-only: the export must open it the same way
    (DuckDB refuses a second connection to a file with another configuration)."""
    import duckdb

    reader = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        path = ox.export(small_warehouse, tmp_path / "out", "soenergy", 1)
    finally:
        reader.close()
    assert len(read_lines(path)) == 4


def test_main_defaults_and_the_warehouse_from_the_environment(
    small_warehouse, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("DBT_DUCKDB_PATH", str(small_warehouse))
    out = tmp_path / "out"
    assert ox.main(["--out", str(out)]) == 0
    expected = out / "opwr_soenergy_res_1_usage_20261101000000.gz"
    assert capsys.readouterr().out == f"{expected}\n"
    assert len(read_lines(expected)) == 4


def test_main_without_a_warehouse_says_so_on_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DBT_DUCKDB_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "WAREHOUSE.DUCKDB").touch()  # another name: the default is warehouse.duckdb
    assert ox.main(["--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "warehouse warehouse.duckdb not found: build it first\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv", [[], ["--out", "x", "--version", "first"]], ids=["no-out", "version"]
)
def test_main_refuses_a_missing_out_or_a_version_that_is_no_integer(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        ox.main(argv)
    assert exit_.value.code == 2  # argparse's usage error, not a traceback
    assert "usage:" in capsys.readouterr().err


def test_main_help_describes_every_option(capsys):
    with pytest.raises(SystemExit):
        ox.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    for phrase in [
        "Write the Opower usage feed as the file Opower receives.",
        "--out OUT folder to write the file into",
        "--utility UTILITY utility name in the file name",
        "--version VERSION file version",
        "--database DATABASE the DuckDB warehouse"
        " (default: $DBT_DUCKDB_PATH, else warehouse.duckdb)",
    ]:
        assert phrase in text, phrase
