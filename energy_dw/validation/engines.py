"""Where the validation reads from: the DuckDB file of a local build, or BigQuery.

Every query of the suites is written once, in SQL that both engines accept (plain selects,
joins, `group by` on names, `count`/`sum`, `timestamp '...'` literals), with relation names as
placeholders: `{marts.fct_x}`, `{staging.stg_x}`, `{restricted.stg_x}`, `{raw.<dataset>.<table>}`.
The engine resolves a placeholder to its own relation name:

| placeholder | DuckDB | BigQuery |
|---|---|---|
| `{marts.fct_x}` | `marts.fct_x` | `` `<project>.<dataset>_marts.fct_x` `` |
| `{raw.pulse.account}` | `pulse.account` | `` `<raw project>.pulse.account` `` |

which mirrors `generate_schema_name` (folder schemas prefixed with the target dataset on BigQuery;
raw datasets keep their names).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

LAYERS = ("marts", "staging", "restricted", "intermediate", "utilities")


class _Layer:
    def __init__(self, engine: Engine, layer: str):
        self._engine = engine
        self._layer = layer

    def __getattr__(self, name: str) -> str:
        return self._engine.relation(self._layer, name)


class _Raw:
    def __init__(self, engine: Engine):
        self._engine = engine

    def __getattr__(self, dataset: str) -> _Layer:
        return _Layer(self._engine, f"raw:{dataset}")


class Engine:
    """Resolves relation placeholders and runs a query into a pandas DataFrame."""

    name = "engine"

    def relation(self, layer: str, name: str) -> str:
        raise NotImplementedError

    def _run(self, sql: str) -> pd.DataFrame:
        raise NotImplementedError

    def tables(self, layer: str) -> list[str]:
        raise NotImplementedError

    def render(self, sql: str) -> str:
        names = {layer: _Layer(self, layer) for layer in LAYERS}
        return sql.format(raw=_Raw(self), **names)

    def query(self, sql: str) -> pd.DataFrame:
        return self._run(self.render(sql))

    def scalar(self, sql: str):
        frame = self.query(sql)
        return None if frame.empty else frame.iloc[0, 0]

    def columns(self, layer: str, table: str) -> list[str]:
        return list(self.query(f"select * from {{{layer}.{table}}} limit 0").columns)

    def close(self) -> None:
        pass


@dataclass
class DuckDBEngine(Engine):
    path: str
    name: str = "duckdb"
    _con: object = field(default=None, repr=False)

    def __post_init__(self):
        import duckdb

        self._con = duckdb.connect(self.path, read_only=True)

    def relation(self, layer: str, name: str) -> str:
        schema = layer.split(":", 1)[1] if layer.startswith("raw:") else layer
        return f'"{schema}"."{name}"'

    def _run(self, sql: str) -> pd.DataFrame:
        return self._con.execute(sql).df()

    def tables(self, layer: str) -> list[str]:
        rows = self._con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [layer],
        ).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        self._con.close()


@dataclass
class BigQueryEngine(Engine):
    """Reads through the BigQuery client (application-default or service-account credentials,
    as dbt's `prod` target: DBT_BQ_PROJECT, DBT_BQ_DATASET, `raw_database` project)."""

    project: str = field(default_factory=lambda: os.environ.get("DBT_BQ_PROJECT", ""))
    dataset: str = field(default_factory=lambda: os.environ.get("DBT_BQ_DATASET", "analytics"))
    raw_project: str = field(
        default_factory=lambda: os.environ.get("DBT_BQ_RAW_PROJECT", "soe-prod-data-core-7529")
    )
    location: str = field(default_factory=lambda: os.environ.get("DBT_BQ_LOCATION", "EU"))
    name: str = "bigquery"
    _client: object = field(default=None, repr=False)

    def __post_init__(self):
        from google.cloud import bigquery

        self._client = bigquery.Client(project=self.project or None, location=self.location)
        self.project = self.project or self._client.project

    def relation(self, layer: str, name: str) -> str:
        if layer.startswith("raw:"):
            return f"`{self.raw_project}.{layer.split(':', 1)[1]}.{name}`"
        return f"`{self.project}.{self.dataset}_{layer}.{name}`"

    def _run(self, sql: str) -> pd.DataFrame:
        return self._client.query(sql).to_dataframe()

    def tables(self, layer: str) -> list[str]:
        return sorted(
            t.table_id for t in self._client.list_tables(f"{self.project}.{self.dataset}_{layer}")
        )
