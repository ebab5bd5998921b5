"""The building blocks of the suites: a Suite is a list of Frames, each a DataFrame read from the
warehouse (through an Engine) and the great-expectations expectations it must meet.

Helpers build the frames that dbt tests do not express:
- `mart_frame`: the mart's own columns; rate columns are found by name and bounded to [0, 1].
- `reconciliation`: named pairs of counts or sums (upstream, downstream) that must be equal; a
  `Hop` counts everything that goes in, subtracts what a model filters out (each filter a
  `CountedOut`, counted and named in every run) and compares the rest with what comes out.
- `references`: named foreign keys whose orphan count must be zero (referential completeness).
- `month_over_month`: a monthly series per group whose month-over-month ratio stays in a bound.
- `monthly_range`: a monthly per-group measure that must stay within a plausible range.

Pointing the validation at a new mart is one `Suite(...)` entry in `suites.py`; a mart with no
entry still gets the generic suite (not empty, rates in [0, 1]) and is listed as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import great_expectations as gx
import pandas as pd

from energy_dw.validation.engines import Engine

E = gx.expectations

# Column names that hold a ratio; each is bounded to [0, 1] unless the suite says otherwise.
RATE_PATTERN = re.compile(r"(_rate|_pct|_ratio|_share)(_\d+_days)?$")


@dataclass
class Frame:
    label: str
    build: Callable[[Engine], pd.DataFrame]
    expectations: list
    description: str = ""
    # names the failing rows of a failed frame (e.g. which reconciliation does not hold)
    explain: Callable[[pd.DataFrame], list[str]] | None = None
    # lines printed (and written to the results file) on every run, passed or failed: what a
    # model filtered out, counted and named, so a dropped row is never silent
    notes: Callable[[pd.DataFrame], list[str]] | None = None


@dataclass
class Suite:
    """The checks of one mart (or of one hop of the pipeline, e.g. source_to_staging)."""

    name: str
    layer: str = "marts"
    description: str = ""
    # columns of the mart read into the mart frame ("*" = all); rate columns are always added
    columns: tuple[str, ...] = ()
    # expectations on the mart frame (besides the generic ones)
    expectations: list = field(default_factory=list)
    # rate column -> (min, max) where a rate is not a share in [0, 1]
    rate_bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    frames: list[Frame] = field(default_factory=list)
    is_mart: bool = True


def rate_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if RATE_PATTERN.search(c)]


def mart_frame(suite: Suite, engine: Engine) -> Frame:
    all_columns = engine.columns(suite.layer, suite.name)
    rates = rate_columns(all_columns)
    wanted = list(dict.fromkeys([*suite.columns, *rates])) if "*" not in suite.columns else ["*"]
    expectations = [
        E.ExpectTableRowCountToBeBetween(
            min_value=1, description="The mart is not empty: an empty feed upstream is noticed."
        )
    ]
    for col in rates:
        low, high = suite.rate_bounds.get(col, (0, 1))
        expectations.append(
            E.ExpectColumnValuesToBeBetween(
                column=col,
                min_value=low,
                max_value=high,
                description=f"Rate `{col}` within [{low}, {high}]"
                + (" (documented exception to [0, 1])" if col in suite.rate_bounds else ""),
            )
        )
    expectations += suite.expectations
    select = ", ".join(wanted) if wanted else "count(*) as row_count"
    layer, name = suite.layer, suite.name

    def build(engine: Engine) -> pd.DataFrame:
        frame = engine.query(f"select {select} from {{{layer}.{name}}}")
        return _numeric(frame)

    if not wanted:  # only the row count is needed: read one row per mart row, no column
        expectations[0] = E.ExpectColumnValuesToBeBetween(
            column="row_count", min_value=1, description="The mart is not empty."
        )
    return Frame("columns", build, expectations, "the mart's own rows")


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Decimal (NUMERIC) columns become floats so range expectations compare numbers."""
    for col in frame.columns:
        if frame[col].dtype == object and len(frame) and _is_decimal(frame[col]):
            frame[col] = frame[col].astype("float64")
    return frame


def _is_decimal(series: pd.Series) -> bool:
    from decimal import Decimal

    first = series.dropna()
    return not first.empty and isinstance(first.iloc[0], Decimal)


@dataclass(frozen=True)
class CountedOut:
    """Rows (or a quantity) a model filters out on purpose: `value` is a scalar query (a count or
    a sum), `names` a query ending with its `order by` whose columns name the rows (the first
    `NAMES_SHOWN` are shown)."""

    what: str
    value: str
    names: str = ""


@dataclass(frozen=True)
class Hop:
    """One hop of the pipeline counted from its input, independently of the model's own filter:
    `rows_in` counts everything that goes in, each `counted_out` what the model may filter out
    (named), and `rows_in - sum(counted_out)` must equal `actual`, what comes out."""

    check: str
    rows_in: str
    actual: str
    counted_out: tuple[CountedOut, ...] = ()


NAMES_SHOWN = 10


def _name(value) -> str:
    """A value naming a row: a date read back as a midnight timestamp prints as the date."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return str(value.date())
    return str(value)


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 6)


def reconciliation(pairs: list, description: str = "") -> Frame:
    """Each entry is a `Hop`, or (check, expected_sql, actual_sql): two scalar queries whose
    values must be equal. A model that filters rows names the filter, so nothing is dropped
    silently: either the rows arrive, or the filter that removed them is written here, and with
    a `Hop` the rows it removed are counted and named in every run (`counted_out_names`)."""
    hops = [p if isinstance(p, Hop) else Hop(p[0], p[1], p[2]) for p in pairs]

    def build(engine: Engine) -> pd.DataFrame:
        rows = []
        for hop in hops:
            rows_in = _number(engine.scalar(hop.rows_in))
            actual = _number(engine.scalar(hop.actual))
            out, notes = 0.0, []
            for cut in hop.counted_out:
                value = _number(engine.scalar(cut.value)) or 0.0
                out += value
                if value:
                    names = []
                    if cut.names:  # ends with its `order by`; one more row says "and more"
                        frame = engine.query(f"{cut.names} limit {NAMES_SHOWN + 1}")
                        names = [" ".join(map(_name, row)) for row in frame.itertuples(index=False)]
                    more = [", ..."] if len(names) > NAMES_SHOWN else []
                    shown = f" ({', '.join(names[:NAMES_SHOWN])}{''.join(more)})" if names else ""
                    notes.append(f"{value:g} {cut.what}{shown}")
            rows.append(
                {
                    "check": hop.check,
                    "rows_in": rows_in,
                    "counted_out": round(out, 6),
                    "expected": None if rows_in is None else round(rows_in - out, 6),
                    "actual": actual,
                    "counted_out_names": "; ".join(notes),
                }
            )
        columns = ["check", "rows_in", "counted_out", "expected", "actual", "counted_out_names"]
        return pd.DataFrame(rows, columns=columns)

    return Frame(
        "reconciliation",
        build,
        [
            E.ExpectColumnValuesToNotBeNull(column="expected"),
            E.ExpectColumnValuesToNotBeNull(column="actual"),
            E.ExpectColumnPairValuesToBeEqual(
                column_A="expected",
                column_B="actual",
                description="Row counts (and sums) reconcile from the upstream layer: what goes"
                " in, minus what is counted out by name, is what comes out.",
            ),
        ],
        description or "counts that reconcile with the upstream layer",
        explain=lambda f: [
            f"{r.check}: expected {r.expected}, got {r.actual}"
            + (f" ({r.rows_in} in, {r.counted_out} counted out)" if r.counted_out else "")
            for r in f.itertuples()
            if r.expected != r.actual
        ],
        notes=lambda f: [
            f"{r.check}: counted out {r.counted_out_names}"
            for r in f.itertuples()
            if r.counted_out_names
        ],
    )


def references(keys: list[tuple[str, str, str, str]]) -> Frame:
    """Each (check, child_relation, child_column, parent_relation.parent_column): the number of
    non-null child keys with no parent row must be zero."""

    def build(engine: Engine) -> pd.DataFrame:
        rows = []
        for check, child, column, parent in keys:
            parent_rel, parent_col = parent.rsplit(".", 1)
            orphans = engine.scalar(
                f"select count(*) from {child} as c left join {parent_rel} as p"
                f" on c.{column} = p.{parent_col}"
                f" where c.{column} is not null and p.{parent_col} is null"
            )
            rows.append({"check": check, "orphans": int(orphans)})
        return pd.DataFrame(rows, columns=["check", "orphans"])

    return Frame(
        "referential_completeness",
        build,
        [
            E.ExpectColumnValuesToBeBetween(
                column="orphans",
                min_value=0,
                max_value=0,
                description="Every foreign key of the mart finds its dimension or staging row.",
            )
        ],
        "foreign keys that must all resolve",
        explain=lambda f: [
            f"{r.check}: {r.orphans} orphan(s)" for r in f.itertuples() if r.orphans
        ],
    )


def _monthly(engine: Engine, sql: str, group: str) -> pd.DataFrame:
    """`sql` returns `month` (any date or timestamp in the month), an optional `series`, and
    `value`, or `numerator` and `denominator`. Months are truncated here, in pandas, so the SQL
    needs no engine-specific date function; the value of a month is sum(value), or
    sum(numerator) / sum(denominator)."""
    frame = _numeric(engine.query(sql))
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    if group not in frame.columns:
        frame[group] = "all"
    if "numerator" in frame.columns:
        frame = frame.groupby([group, "month"], as_index=False)[["numerator", "denominator"]].sum()
        frame["value"] = frame["numerator"].astype("float64") / frame["denominator"].where(
            frame["denominator"] != 0
        ).astype("float64")
    else:
        frame = frame.groupby([group, "month"], as_index=False)["value"].sum()
    return frame.sort_values([group, "month"]).reset_index(drop=True)


def month_over_month(
    label: str,
    sql: str,
    low: float,
    high: float,
    min_base: float = 0,
    description: str = "",
) -> Frame:
    """`sql` returns month, an optional `series` column and `value`; the ratio of each month's
    value to the previous month's (same series) must lie in [low, high]. Months whose previous
    value is below `min_base` are not judged (a small base makes any change a big ratio)."""

    def build(engine: Engine) -> pd.DataFrame:
        frame = _monthly(engine, sql, "series")
        frame["value"] = frame["value"].astype("float64")
        frame["previous_value"] = frame.groupby("series")["value"].shift(1)
        judged = frame["previous_value"].notna() & (frame["previous_value"] >= max(min_base, 1e-9))
        frame["mom_ratio"] = (frame["value"] / frame["previous_value"]).where(judged)
        return frame

    return Frame(
        f"mom_{label}",
        build,
        [
            E.ExpectColumnValuesToBeBetween(
                column="mom_ratio",
                min_value=low,
                max_value=high,
                description=description
                or f"Month-over-month ratio of {label} within [{low}, {high}].",
            )
        ],
        description,
    )


def monthly_range(label: str, sql: str, bounds: dict[str, tuple[float, float]], why: str) -> Frame:
    """`sql` returns month, series and value; each series' values must lie in its bounds."""

    def build(engine: Engine) -> pd.DataFrame:
        frame = _monthly(engine, sql, "series")
        wide = frame.pivot_table(index="month", columns="series", values="value", aggfunc="sum")
        wide.columns = [f"{label}_{c}".lower() for c in wide.columns]
        return wide.reset_index()

    expectations = [
        E.ExpectColumnToExist(column=f"{label}_{series}".lower()) for series in bounds
    ] + [
        E.ExpectColumnValuesToBeBetween(
            column=f"{label}_{series}".lower(),
            min_value=low,
            max_value=high,
            description=f"{series}: {why} within [{low}, {high}].",
        )
        for series, (low, high) in bounds.items()
    ]
    return Frame(f"range_{label}", build, expectations, why)
