"""The one door from the dashboards to the warehouse: one reader per engine, portable SQL only.

Pages never hold SQL. They call the query functions of this package's modules (`metering`,
`portfolio`, `operations`, `quality`, `common`), which are written once in SQL that DuckDB and
BigQuery both run, against relations named `marts.<model>` or `utilities.<model>`. A reader
resolves those names for its engine and binds the parameters (`@name`; a list expands to
`(@name_0, @name_1, ...)`, so `region in @regions` works on both).

Which warehouse is read is one setting, `DASHBOARD_TARGET`:

- `dev` (the default): the DuckDB file `warehouse.duckdb` that `make build` publishes, opened
  read-only (`DASHBOARD_DUCKDB_PATH` points at another file, e.g. the CI build);
- `prod`: the BigQuery marts of the `prod` target of profiles.yml, with the same environment
  variables (`DBT_BQ_PROJECT`, `DBT_BQ_DATASET`, `DBT_BQ_LOCATION`, `DBT_BQ_METHOD`,
  `DBT_BQ_KEYFILE`). `DASHBOARD_BQ_ENDPOINT` points it at another endpoint without
  credentials: `make check-bigquery` reads the pages from its emulator that way.
  `DASHBOARD_BQ_TIMEOUT` (seconds, default 60) bounds a query and its retries.

A page opens one `session()` per run and reads every figure through it: on DuckDB that is one
read-only connection to one published file, so a page never mixes two builds.

Results of the DuckDB reader are kept in memory per server process, keyed by the published file
(path, inode, modification time, size: `make build` publishes a new file, so a new build is never
answered from an old one), the SQL and its parameters: a page is read once per build and filter,
whoever opens it (`DASHBOARD_QUERY_CACHE`, default 256 results; 0 turns it off).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
RELATION = re.compile(r"\b(marts|utilities)\.(\w+)\b")
PARAMETER = re.compile(r"@(\w+)\b")


class WarehouseUnavailable(Exception):
    """What is missing, in words a reader can act on, and the command that fixes it."""

    def __init__(self, what: str, remedy: str):
        super().__init__(f"{what} {remedy}")
        self.what = what
        self.remedy = remedy


class Reader(Protocol):
    engine: str
    description: str

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame: ...

    def close(self) -> None: ...


def expand_parameters(sql: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """Expand list parameters into one scalar parameter each, so `x in @xs` runs on both engines.

    An empty list becomes `(null)`, which matches no row.
    """
    params = dict(params or {})
    flat: dict[str, Any] = {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise KeyError(f"query parameter @{name} has no value")
        value = params[name]
        if isinstance(value, (list, tuple, set, frozenset)):
            values = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
            if not values:
                return "(null)"
            names = [f"{name}_{i}" for i in range(len(values))]
            flat.update(zip(names, values, strict=True))
            return "(" + ", ".join(f"@{n}" for n in names) + ")"
        flat[name] = value
        return f"@{name}"

    return PARAMETER.sub(replace, sql), flat


class ResultCache:
    """The last `size` query results (least recently used out), shared by the sessions of one
    server process. Callers get a copy: a page may change its frame without touching the cache."""

    def __init__(self, size: int):
        self.size = size
        self._results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> pd.DataFrame | None:
        with self._lock:
            frame = self._results.get(key)
            if frame is None:
                return None
            self._results.move_to_end(key)
            return frame.copy()

    def put(self, key: tuple, frame: pd.DataFrame) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._results[key] = frame.copy()
            self._results.move_to_end(key)
            while len(self._results) > self.size:
                self._results.popitem(last=False)


RESULTS = ResultCache(int(os.environ.get("DASHBOARD_QUERY_CACHE", "256")))


def _file_identity(path: Path) -> tuple:
    stat = path.stat()
    return (str(path.resolve()), stat.st_ino, stat.st_mtime_ns, stat.st_size)


class DuckDBReader:
    """A read-only connection to one DuckDB file: the published warehouse."""

    engine = "duckdb"

    def __init__(self, path: Path):
        import duckdb

        self.path = path
        self.description = f"DuckDB file {path}"
        if not path.exists():
            raise WarehouseUnavailable(
                f"No warehouse has been built yet: {path} does not exist.",
                "Run `make build` to build it from the seeds.",
            )
        try:
            # the file as it is now: the connection keeps reading it even if a build replaces it
            self._identity = _file_identity(path)
            self._con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as error:
            raise WarehouseUnavailable(
                f"The warehouse {path} cannot be opened read-only ({error}).",
                "Run `make build` again; it publishes a complete copy atomically.",
            ) from error

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        import duckdb

        text, flat = expand_parameters(sql, params)
        text = PARAMETER.sub(lambda m: f"${m.group(1)}", text)
        key = (self._identity, text, repr(sorted(flat.items()) if isinstance(flat, dict) else flat))
        cached = RESULTS.get(key)
        if cached is not None:
            return cached
        try:
            frame = self._con.execute(text, flat).df()
            RESULTS.put(key, frame)
            return frame
        except duckdb.CatalogException as error:
            raise WarehouseUnavailable(
                f"The warehouse {self.path} has no {_relation_in(error, sql)}: it was built by an "
                "older version of the project, or the build did not finish.",
                "Run `make build`.",
            ) from error

    def close(self) -> None:
        self._con.close()


class BigQueryReader:
    """The BigQuery marts of the `prod` target: `<project>.<dataset>_marts`."""

    engine = "bigquery"

    def __init__(self, env: Mapping[str, str]):
        self.project = env.get("DBT_BQ_PROJECT", "")
        dataset = env.get("DBT_BQ_DATASET", "analytics")
        self.datasets = {"marts": f"{dataset}_marts", "utilities": f"{dataset}_utilities"}
        self.location = env.get("DBT_BQ_LOCATION", "EU")
        self.timeout = float(env.get("DASHBOARD_BQ_TIMEOUT", "60"))
        self.description = f"BigQuery {self.project}.{self.datasets['marts']}"
        if not self.project:
            raise WarehouseUnavailable(
                "DASHBOARD_TARGET=prod needs the BigQuery project: DBT_BQ_PROJECT is not set.",
                "Set DBT_BQ_PROJECT (and DBT_BQ_DATASET, DBT_BQ_LOCATION) as for `dbt build "
                "--target prod`.",
            )
        try:
            from google.auth.exceptions import DefaultCredentialsError
            from google.cloud import bigquery
        except ImportError as error:  # pragma: no cover - dbt-bigquery installs both
            raise WarehouseUnavailable(
                "The BigQuery client library is not installed.", "Run `make venv`."
            ) from error
        self._bigquery = bigquery
        try:
            if env.get("DASHBOARD_BQ_ENDPOINT"):
                # The BigQuery emulator of `make check-bigquery` (no credentials on loopback).
                from google.api_core.client_options import ClientOptions
                from google.auth.credentials import AnonymousCredentials

                self._client = bigquery.Client(
                    project=self.project,
                    location=self.location,
                    credentials=AnonymousCredentials(),
                    client_options=ClientOptions(api_endpoint=env["DASHBOARD_BQ_ENDPOINT"]),
                )
            elif env.get("DBT_BQ_METHOD") == "service-account" and env.get("DBT_BQ_KEYFILE"):
                self._client = bigquery.Client.from_service_account_json(
                    env["DBT_BQ_KEYFILE"], project=self.project, location=self.location
                )
            else:
                self._client = bigquery.Client(project=self.project, location=self.location)
        except (DefaultCredentialsError, OSError, ValueError) as error:
            raise WarehouseUnavailable(
                f"No BigQuery credentials for project {self.project} ({error}).",
                "Run `gcloud auth application-default login`, or set DBT_BQ_METHOD=service-account "
                "and DBT_BQ_KEYFILE.",
            ) from error

    def _name(self, match: re.Match[str]) -> str:
        return f"`{self.project}.{self.datasets[match.group(1)]}.{match.group(2)}`"

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        from google.api_core import exceptions as api

        text, flat = expand_parameters(RELATION.sub(self._name, sql), params)
        config = self._bigquery.QueryJobConfig(
            query_parameters=[self._parameter(name, value) for name, value in flat.items()]
        )
        try:
            # Requests are retried within the timeout; a failed job is not re-run (job_retry=None:
            # the client's own job retry would keep an unreachable endpoint busy for minutes).
            retry = self._bigquery.DEFAULT_RETRY.with_deadline(self.timeout)
            job = self._client.query(
                text, job_config=config, retry=retry, job_retry=None, timeout=self.timeout
            )
            return job.result(retry=retry, timeout=self.timeout).to_dataframe()
        except api.NotFound as error:
            raise WarehouseUnavailable(
                f"BigQuery has no {_relation_in(error, sql)} in {self.project}.",
                "Run `dbt build --target prod` (see README, BigQuery).",
            ) from error
        except (api.Forbidden, api.Unauthorized) as error:
            raise WarehouseUnavailable(
                f"BigQuery refused the query ({error.message}).",
                "Check that the credentials may read the marts dataset (docs/access.md).",
            ) from error
        except (api.ServiceUnavailable, api.RetryError, ConnectionError, OSError) as error:
            raise WarehouseUnavailable(
                f"BigQuery is unreachable ({error}).",
                "Check the network and DBT_BQ_LOCATION, then reload the page.",
            ) from error

    def _parameter(self, name: str, value: Any):
        bigquery = self._bigquery
        if isinstance(value, bool):
            kind = "BOOL"
        elif isinstance(value, int):
            kind = "INT64"
        elif isinstance(value, float):
            kind = "FLOAT64"
        elif isinstance(value, dt.datetime):
            kind = "TIMESTAMP"
        elif isinstance(value, dt.date):
            kind = "DATE"
        else:
            kind = "STRING"
        return bigquery.ScalarQueryParameter(name, kind, value)

    def close(self) -> None:
        self._client.close()


def _relation_in(error: Exception, sql: str) -> str:
    """The relation an error is about, for a message: named in the error, else the query's first."""
    for match in RELATION.finditer(sql):
        if match.group(2) in str(error):
            return f"{match.group(1)}.{match.group(2)}"
    first = RELATION.search(sql)
    return f"{first.group(1)}.{first.group(2)}" if first else "such relation"


def target() -> str:
    return os.environ.get("DASHBOARD_TARGET", "dev")


def duckdb_path() -> Path:
    path = Path(os.environ.get("DASHBOARD_DUCKDB_PATH", "warehouse.duckdb"))
    return path if path.is_absolute() else ROOT / path


def open_reader(env: Mapping[str, str] | None = None) -> Reader:
    env = os.environ if env is None else env
    name = env.get("DASHBOARD_TARGET", "dev")
    if name == "prod":
        return BigQueryReader(env)
    if name == "dev":
        path = Path(env.get("DASHBOARD_DUCKDB_PATH", "warehouse.duckdb"))
        return DuckDBReader(path if path.is_absolute() else ROOT / path)
    raise WarehouseUnavailable(
        f"DASHBOARD_TARGET={name} is not a known target.",
        "Use DASHBOARD_TARGET=dev (DuckDB, the default) or DASHBOARD_TARGET=prod (BigQuery).",
    )


@contextmanager
def session(env: Mapping[str, str] | None = None) -> Iterator[Reader]:
    """One reader for one page run: every figure of the page comes from the same build."""
    reader = open_reader(env)
    try:
        yield reader
    finally:
        reader.close()


def require_rows(frame: pd.DataFrame, relation: str) -> pd.DataFrame:
    """A mart a page cannot do without must have rows: say which one is empty and what to run."""
    if frame.empty:
        raise WarehouseUnavailable(
            f"The mart {relation} is empty: the warehouse holds no data for it.",
            "Check that the raw data was loaded, then run `make build`.",
        )
    return frame


def in_list(values: Sequence[Any]) -> list[Any]:
    """A filter's selection as a parameter list (a plain list, in a stable order)."""
    return sorted(values, key=str)
