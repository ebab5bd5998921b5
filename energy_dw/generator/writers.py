"""Streaming writers: dbt seed CSVs, raw CSVs and raw Parquet files, one table per file."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ARROW_TYPES = {
    "INT64": pa.int64(),
    "STRING": pa.string(),
    "NUMERIC": pa.decimal128(18, 3),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


def arrow_schema(spec) -> pa.Schema:
    return pa.schema([pa.field(c, ARROW_TYPES[t]) for c, t in spec])


def _decimal(values: np.ndarray) -> pa.Array:
    f = np.asarray(values, dtype=float)
    mask = np.isnan(f)
    ints = np.where(mask, 0, np.rint(f * 1000)).astype(np.int64)
    buf = np.empty((len(f), 2), np.int64)
    buf[:, 0] = ints
    buf[:, 1] = np.where(ints < 0, -1, 0)
    validity = pa.array(~mask).buffers()[1] if mask.any() else None
    return pa.Array.from_buffers(
        pa.decimal128(18, 3),
        len(f),
        [validity, pa.py_buffer(buf.tobytes())],
        null_count=int(mask.sum()),
    )


def to_arrow(df: pd.DataFrame, spec) -> pa.Table:
    arrays = []
    for c, t in spec:
        s = df[c]
        if t == "INT64":
            arr = pa.array(s, type=pa.int64(), from_pandas=True)
        elif t == "STRING":
            arr = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        elif t == "NUMERIC":
            arr = _decimal(s.to_numpy(dtype=float))
        elif t == "BOOL":
            arr = pa.array(s.to_numpy(dtype=bool), type=pa.bool_())
        elif t == "DATE":
            arr = pa.array(
                s.to_numpy(dtype="datetime64[s]").astype("datetime64[D]"),
                type=pa.date32(),
                from_pandas=True,
            )
        else:
            arr = pa.array(
                s.to_numpy(dtype="datetime64[s]").astype("datetime64[us]"),
                type=pa.timestamp("us"),
                from_pandas=True,
            )
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=arrow_schema(spec))


def to_csv_text(df: pd.DataFrame, spec, header: bool) -> str:
    """CSV text: timestamps 'YYYY-MM-DD HH:MM:SS', dates 'YYYY-MM-DD', true/false, NULL empty."""
    out = {}
    for c, t in spec:
        s = df[c]
        if t in ("TIMESTAMP", "DATE"):
            a = s.to_numpy(dtype="datetime64[s]")
            nat = np.isnat(a)
            if t == "DATE":
                txt = np.datetime_as_string(a.astype("datetime64[D]"), unit="D")
            else:
                txt = np.char.replace(np.datetime_as_string(a, unit="s"), "T", " ")
            out[c] = np.where(nat, None, txt.astype(object))
        elif t == "BOOL":
            out[c] = np.where(s.to_numpy(dtype=bool), "true", "false").astype(object)
        else:
            out[c] = s
    buf = io.StringIO()
    pd.DataFrame(out).to_csv(
        buf, index=False, header=header, float_format="%.3f", na_rep="", lineterminator="\n"
    )
    return buf.getvalue()


class Writer:
    """Opens one output per table and appends blocks to it."""

    def __init__(self, out_dir: Path, fmt: str, layout: str, contract: dict) -> None:
        self.out_dir = Path(out_dir)
        self.fmt = fmt
        self.layout = layout
        self.contract = contract
        self.rows: dict[str, int] = {}
        self.blocks: dict[str, int] = {}
        self._pq: dict[tuple[str, str], pq.ParquetWriter] = {}
        self._csv: dict[tuple[str, str], object] = {}
        self.paths: dict[tuple[str, str], Path] = {}
        for dataset, tabs in contract.items():
            for table in tabs:
                self.paths[(dataset, table)] = self.path_for(dataset, table)

    def path_for(self, dataset: str, table: str) -> Path:
        if self.layout == "seeds":
            return self.out_dir / dataset / f"{dataset}__{table}.csv"
        return self.out_dir / f"{dataset}.{table}.{self.fmt}"

    def write(self, dataset: str, table: str, df: pd.DataFrame) -> None:
        spec = self.contract[dataset][table]
        key = (dataset, table)
        path = self.paths[key]
        name = f"{dataset}.{table}"
        self.rows[name] = self.rows.get(name, 0) + len(df)
        self.blocks[name] = self.blocks.get(name, 0) + 1
        if self.fmt == "parquet":
            if key not in self._pq:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._pq[key] = pq.ParquetWriter(path, arrow_schema(spec), compression="zstd")
            if len(df):
                self._pq[key].write_table(to_arrow(df, spec))
        else:
            first = key not in self._csv
            if first:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._csv[key] = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            if len(df) or first:
                self._csv[key].write(to_csv_text(df, spec, header=first))

    def close(self) -> None:
        for w in self._pq.values():
            w.close()
        for f in self._csv.values():
            f.close()
