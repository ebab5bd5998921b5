"""The operations report (000): the answer to each of its 17 queries, over the operations marts.

The four groups of 000 (smart metering, meter reading operations, billing operations, digital
journey performance), each query under its title, in 000's order and sort, with its definition
from the yml (the mart's description and each column's, also as the column headers' tooltips).
"Last 30 days" (7 for the daily queries) ends on the window end, the as-of date by default, as
in the analyses (analyses/operations_000_*.sql). Every query is in `dashboard.data.operations`.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import components, definitions, pages
from dashboard.components import format_number, format_pct, ratio
from dashboard.data import Reader, common
from dashboard.data import operations as q

PAGE = "operations"
REPORT = (
    "The operations performance metrics of 000: smart metering, meter readings, billing "
    "operations and digital journeys. Every answer is one of 000's 17 queries over the "
    'operations marts; "last 30 days" (or 7) ends on the window end below.'
)

# Column headers of the tables (the data keeps 000's column names).
LABELS = {
    "aes_status": "AES status",
    "bookings": "Bookings",
    "install_date": "Install date",
    "installs": "Installs",
    "fuel_type": "Fuel type",
    "installation_type": "Installation type",
    "failure_reason": "Failure reason",
    "failed_installs": "Failed installs",
    "cancel_reason": "Cancel reason",
    "cancelled": "Cancelled",
    "booking_source": "Booking source",
    "reading_source": "Reading source",
    "readings": "Readings",
    "status": "Status",
    "workflow_status": "Workflow status",
    "read_source": "Read source",
    "reads": "Reads",
    "total_consumption": "Total consumption (kWh)",
    "submission_date": "Date",
    "submissions": "Submissions",
    "bill_date": "Bill date",
    "bills_generated": "Bills generated",
    "total_billed": "Total billed (£)",
    "bill_count": "Bills",
    "total_amount": "Total amount (£)",
    "bill_delivery_method": "Delivery method",
    "delivery_accounts": "Accounts",
    "status_code": "Status code",
    "periods": "Periods",
    "kpi_name": "KPI",
    "channel": "Channel",
    "events": "Events",
    "successes": "Successful",
    "success_rate": "Success rate (%)",
    "created_date": "Date",
    "attempts": "Attempts",
    "db_source": "Database source",
    "total": "Total",
}
FORMATS = {
    "total_consumption": "%.1f",
    "total_billed": "£%.2f",
    "total_amount": "£%.2f",
    "success_rate": "%.2f",
}

# card label -> (query whose answer it sums, column, metric of the semantic layer for its help)
CARDS = {
    "Smart meter bookings": ("01", "bookings", "smart_meter_bookings"),
    "Installs, 30 days": ("02", "installs", "smart_meter_installs"),
    "Meter reads, 30 days": ("09", "reads", "meter_reads"),
    "Bills, 30 days": ("11", "bills_generated", "bills_generated"),
}
SUCCESS_RATE_CARD = "Journey success, 30 days"
CARD_NOTES = {
    "Smart meter bookings": "Every current booking (000's bookings by status, summed).",
    "Installs, 30 days": "Installs in the last 30 days (000's installs over time, summed).",
    "Meter reads, 30 days": "Junifer reads in the last 30 days (000's reads by read source).",
    "Bills, 30 days": "ACCEPTED bills generated in the last 30 days (000's bills over time).",
}


def window_text(query: q.Query, as_of: dt.date, end: dt.date) -> str:
    if not query.window_days:
        return "Current: every day in the mart (not windowed, as in 000)."
    start, _ = q.window(as_of, end, query.window_days)
    return (
        f"Last {query.window_days} days: {components.format_date(start)} to "
        f"{components.format_date(end)}" + (" (the as-of date)." if end >= as_of else ".")
    )


def column_config(defs: definitions.Definitions, query: q.Query) -> dict:
    config = {}
    for column, mart_column in query.columns.items():
        label = LABELS.get(column, column)
        help_text = defs.column(query.mart, mart_column) or None
        if column in FORMATS:
            config[column] = st.column_config.NumberColumn(
                label, help=help_text, format=FORMATS[column]
            )
        elif column in query.counts:
            config[column] = st.column_config.NumberColumn(
                label, help=help_text, format="localized"
            )
        elif column.endswith("_date"):
            config[column] = st.column_config.DateColumn(label, help=help_text, format="YYYY-MM-DD")
        else:
            config[column] = st.column_config.Column(label, help=help_text)
    return config


def definition(defs: definitions.Definitions, query: q.Query) -> None:
    items = [(f"Mart `{query.mart}`", defs.model(query.mart))]
    items += [
        (LABELS.get(column, column), defs.column(query.mart, mart_column))
        for column, mart_column in query.columns.items()
    ]
    if not defs.available:
        items.append(("Note", "Definitions need dbt's manifest: run `make build`."))
    components.definition_list(items, title="Definition")


def chart(query: q.Query, frame: pd.DataFrame) -> alt.Chart | None:
    """A chart where it helps: the daily series and the breakdowns with a few categories."""
    if frame.empty:
        return None
    data = frame.copy()
    for column in data.columns:
        if column.endswith("_date"):
            data[column] = pd.to_datetime(data[column])
    for column in q.BY_NUMBER[query.number].counts:
        data[column] = data[column].astype("float64")

    def bar(x: str, y: str, color: str | None = None, temporal: bool = False) -> alt.Chart:
        # days as ordinal bands (a bar per day with data, wide enough to see), in date order
        x_enc = (
            alt.X(f"yearmonthdate({x}):O", title=LABELS[x], axis=alt.Axis(format="%d %b"))
            if temporal
            else alt.X(f"{x}:N", title=LABELS[x], sort="-y", axis=alt.Axis(labelAngle=-30))
        )
        encoding = {
            "x": x_enc,
            "y": alt.Y(f"{y}:Q", title=LABELS[y], axis=alt.Axis(format=",d", tickMinStep=1)),
            "tooltip": [alt.Tooltip(c, title=LABELS.get(c, c)) for c in frame.columns],
        }
        if color:
            encoding["color"] = alt.Color(f"{color}:N", title=LABELS[color])
        return alt.Chart(data).mark_bar().encode(**encoding).properties(height=260)

    match query.number:
        case "01":
            return bar("aes_status", "bookings")
        case "02":
            return bar("install_date", "installs", temporal=True)
        case "06":
            return bar("booking_source", "bookings")
        case "07":
            return bar("reading_source", "readings")
        case "09":
            return bar("read_source", "reads")
        case "10":
            return bar("submission_date", "submissions", color="reading_source", temporal=True)
        case "11":
            return bar("bill_date", "bills_generated", temporal=True)
        case "12":
            return bar("status", "bill_count")
        case "13":
            return bar("bill_delivery_method", "delivery_accounts")
        case "14":
            return bar("status_code", "periods")
        case "15":
            return (
                alt.Chart(data)
                .mark_bar()
                .encode(
                    y=alt.Y("kpi_name:N", title=None, axis=alt.Axis(labelLimit=220)),
                    yOffset="channel:N",
                    x=alt.X(
                        "success_rate:Q",
                        title=LABELS["success_rate"],
                        scale=alt.Scale(domain=[0, 100]),
                    ),
                    color=alt.Color("channel:N", title=LABELS["channel"]),
                    tooltip=[alt.Tooltip(c, title=LABELS.get(c, c)) for c in frame.columns],
                )
                .properties(height=420)
            )
        case "16":
            return bar("created_date", "attempts", color="channel", temporal=True)
    return None


# page section -> the group of 000 it shows
SECTIONS = {
    "smart_metering": q.SMART_METERING,
    "meter_reading": q.METER_READING,
    "billing": q.BILLING,
    "digital": q.DIGITAL,
}


def filters(reader: Reader, as_of: dt.date, journeys: bool) -> q.Filters:
    """The window end (every page of the report); the channels and KPIs on the journeys' page."""
    left, middle, right = st.columns([1, 1, 2])
    left.date_input(
        "Window end",
        value=as_of,
        max_value=as_of,
        key=components.kept("operations_window_end", lambda day: day <= as_of),
        help='000\'s "last 30 days" and "last 7 days" end on this day; by default the '
        "build's as-of date, as in the analyses.",
    )
    end = components.keep("operations_window_end")
    if not journeys:
        return q.Filters(as_of_date=as_of, window_end=end)
    channels, kpis = q.journey_options(reader)
    middle.multiselect(
        "Channel (digital journeys)",
        channels,
        default=channels,
        key=components.kept("operations_channels", lambda v: set(v) <= set(channels)),
    )
    right.multiselect(
        "KPI (digital journeys)",
        kpis,
        default=kpis,
        key=components.kept("operations_kpis", lambda v: set(v) <= set(kpis)),
    )
    chosen_channels = components.keep("operations_channels")
    chosen_kpis = components.keep("operations_kpis")
    return q.Filters(
        as_of_date=as_of,
        window_end=end,
        channels=None if set(chosen_channels) == set(channels) else list(chosen_channels),
        kpis=None if set(chosen_kpis) == set(kpis) else list(chosen_kpis),
    )


def cards(defs: definitions.Definitions, answers: dict[str, pd.DataFrame]) -> None:
    """The cards of the queries on the page."""
    shown = {label: card for label, card in CARDS.items() if card[0] in answers}
    journeys = "15" in answers
    if not shown and not journeys:
        return
    columns = components.card_rows(len(shown) + journeys)
    for column, (label, (number, field, metric)) in zip(columns, shown.items(), strict=False):
        total = answers[number][field].sum()
        column.metric(
            label, format_number(total), help=f"{CARD_NOTES[label]} {defs.metric(metric)}".strip()
        )
    if journeys:
        rate = ratio(answers["15"]["successes"].sum(), answers["15"]["events"].sum())
        columns[-1].metric(
            SUCCESS_RATE_CARD,
            format_pct(rate, 2),
            help="Journey success rate of the last 30 days, of the channels and KPIs selected "
            "(000's journey KPIs overview, recomputed over all its rows). "
            f"{defs.metric('journey_success_rate')}".strip(),
        )


def body(reader: Reader, section: str) -> None:
    defs = definitions.load()
    q.require_marts(reader)
    group = SECTIONS[section]
    as_of = pd.Timestamp(common.as_of(reader)["as_of_date"]).date()
    chosen = filters(reader, as_of, journeys=group == q.DIGITAL)
    queries = [x for x in q.QUERIES if x.group == group]
    answers = {query.number: q.answer(reader, query, chosen) for query in queries}
    cards(defs, answers)
    st.header(group, divider="gray")
    for query in queries:
        st.subheader(query.title)
        st.caption(window_text(query, as_of, chosen.window_end))
        frame = answers[query.number]
        figure = chart(query, frame)
        if figure is not None:
            left, right = st.columns([3, 2])
        else:
            left, right = st.container(), None
        with left:
            if frame.empty:
                st.info("No rows in this window.")
            st.dataframe(
                frame,
                hide_index=True,
                column_config=column_config(defs, query),
                key=f"operations_table_{query.number}",
                width="stretch",
            )
            definition(defs, query)
        if right is not None:
            right.altair_chart(figure, width="stretch")


def page(section: str) -> None:
    """Draw one page of the report: one group of 000's queries."""
    url = next(u for u, p in pages.PAGES.items() if p.file.endswith(f"operations/{section}.py"))
    components.run_page(
        url,
        f"Operations report (000): {pages.PAGES[url].title}",
        REPORT,
        lambda reader: body(reader, section),
    )
