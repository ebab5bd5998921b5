"""What every page shares: the frame (title, as-of date, source loads, one clear message when the
warehouse cannot be read), the filters' widgets, number formats and the definitions beside them.

Figures are formatted here only, so the browser test reads them back with `parse_figure`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from dashboard import data, definitions, pages
from dashboard.data import Reader, WarehouseUnavailable, common


def run_page(page_id: str, title: str, report: str, body: Callable[[Reader], None]) -> None:
    """Draw a page: title, header, then `body(reader)`; one clear message instead of a traceback.

    When the warehouse cannot be read (not built, a mart missing or empty, BigQuery unreachable or
    without credentials) the page shows what is missing and what to run, and nothing else.
    """
    st.session_state[PREVIOUS_PAGE_KEY] = st.session_state.get(PAGE_KEY)
    st.session_state[PAGE_KEY] = page_id
    st.title(title)
    st.caption(report)
    try:
        with data.session() as reader:
            header(reader, page_id)
            body(reader)
    except WarehouseUnavailable as error:
        st.error(error.what, icon=":material/database_off:")
        st.info(f"What to do: {error.remedy}")


def header(reader: Reader, page_id: str) -> None:
    """As-of date, and the latest load of each raw source the page depends on."""
    as_of = common.as_of(reader)
    loads = common.source_loads(reader)
    wanted = definitions.load().page_sources(page_id)
    if wanted is not None:
        keys = list(zip(loads["source_dataset"], loads["source_table"], strict=True))
        loads = loads[[key in wanted for key in keys]]
    latest = loads["latest_loaded_at"].max() if not loads.empty else None
    left, right = st.columns([1, 2])
    left.markdown(f"**As of** `{format_date(as_of['as_of_date'])}`")
    left.caption(
        f"{as_of['as_of_origin']}; data loaded up to {format_date(as_of['latest_load_date'])}"
    )
    right.markdown(
        f"**Sources last loaded** `{format_timestamp(latest)}` "
        + (
            f"(all {len(loads)} source tables)"
            if wanted is None
            else f"({len(loads)} source tables this page depends on)"
        )
    )
    with right.expander("Latest load of each source"):
        st.dataframe(
            loads.rename(
                columns={
                    "source_dataset": "dataset",
                    "source_table": "table",
                    "load_time_column": "load time column",
                    "source_rows": "rows",
                    "latest_loaded_at": "latest load (UTC)",
                }
            ),
            hide_index=True,
            key=f"{page_id}_source_loads",
        )
    # the pages of a report read it as `<report>_as_of_date` ('metering_as_of_date')
    entry = pages.PAGES.get(page_id)
    st.session_state[f"{entry.report if entry else page_id}_as_of_date"] = as_of["as_of_date"]


KEPT = "{}__kept"
PAGE_KEY = "dashboard_page"  # the page of this run
PREVIOUS_PAGE_KEY = "dashboard_previous_page"  # the page of the run before


def kept(key: str, valid: Callable[[object], bool] = lambda _: True) -> str:
    """Give the widget `key` the value chosen on another page of the report, if any, before it is
    drawn; return `key`. Call `keep(key)` after drawing the widget.

    A widget's identity includes its page, so the same key on another page is a new widget with
    its default: the value is kept under another key and put back on the first run of a page
    after a page change (on later runs of the same page the widget's own state holds the reader's
    latest change). A first visit gets the widget's default (Streamlit logs once that a default
    and a session state value met). A kept value the options no longer allow (`valid` false) gives
    way to the default.
    """
    value = st.session_state.get(KEPT.format(key))
    changed_page = st.session_state.get(PREVIOUS_PAGE_KEY) != st.session_state.get(PAGE_KEY)
    if changed_page and value is not None and valid(value):
        st.session_state[key] = value
    return key


def keep(key: str):
    """Keep the widget's value for the other pages of the report (see `kept`); return it."""
    st.session_state[KEPT.format(key)] = st.session_state[key]
    return st.session_state[key]


def month_range(
    label: str, months: Sequence[dt.date], key: str, default_months: int = 12
) -> tuple[dt.date, dt.date]:
    """The date-range filter at month grain: first and last month (first days of months); the
    same range on every page of the report."""
    options = sorted({pd.Timestamp(m).date() for m in months})
    if not options:
        raise WarehouseUnavailable(
            f"No month to filter on for '{label}': the mart is empty.",
            "Check that the raw data was loaded, then run `make build`.",
        )
    start = options[max(0, len(options) - default_months)]
    st.select_slider(
        label,
        options=options,
        value=(start, options[-1]),
        format_func=lambda m: m.strftime("%b %Y"),
        key=kept(key, lambda v: all(m in options for m in v)),
    )
    chosen = keep(key)
    return chosen[0], chosen[1]


def card_rows(count: int, per_row: int = 3) -> list:
    """`count` card slots, `per_row` to a row: at 1280 px beside the navigation, three cards a
    row show labels like 'Consumption over the range (kWh)' and '£22,602.71' whole."""
    slots: list = []
    while len(slots) < count:
        slots += st.columns(per_row)
    return slots[:count]


def definition_list(items: Sequence[tuple[str, str]], title: str = "Definitions") -> None:
    """The KPI definitions beside the figures, as the yml words them."""
    with st.expander(title):
        for name, text in items:
            st.markdown(f"**{name}**: {text}" if text else f"**{name}**")


def format_number(value: float | int | None, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{float(value):,.{decimals}f}"


def format_gbp(value: float | None) -> str:
    text = format_number(value, 2)
    return text if text == "n/a" else f"£{text}"


def format_pct(ratio: float | None, decimals: int = 1) -> str:
    """A ratio (0.123) as a percentage ('12.3%')."""
    text = format_number(None if ratio is None else ratio * 100, decimals)
    return text if text == "n/a" else f"{text}%"


def format_date(value) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def format_timestamp(value) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def parse_figure(text: str) -> float | None:
    """The number a formatted figure shows ('£1,234.50' -> 1234.5, '12.3%' -> 12.3)."""
    cleaned = text.strip().replace("£", "").replace(",", "").replace("%", "").split(" ")[0]
    return None if cleaned in {"", "n/a"} else float(cleaned)


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is zero (shown as n/a)."""
    if denominator is None or pd.isna(denominator) or float(denominator) == 0:
        return None
    return float(numerator) / float(denominator)
