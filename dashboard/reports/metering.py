"""The smart metering dashboard (001): overview, consumption, meter performance, revenue,
customers and operations, by month and region, with a drill-down from a region and month to its
customers, meters, installations, maintenance requests and technicians.

Every figure comes from `dashboard.data.metering` (the marts of the exposure
`smart_metering_dashboard`); the definitions beside them are the metric and column descriptions
of the yml. Cards show the last month of the range with its change on the month before, or the
whole range where the label says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import components, definitions, pages
from dashboard.components import format_gbp, format_number, format_pct, ratio
from dashboard.data import Reader
from dashboard.data import metering as q

PAGE = "metering"
REPORT = (
    "The smart electricity metering dashboard of 001: customers, consumption, meters, revenue, "
    "customer feedback and field operations by month and region."
)


# --- formats: one per kind of figure, so the tests format exactly like the page ---------------


def kwh(value: float | None) -> str:
    """kWh with one decimal; the unit is in the card's label, so the figure fits the card."""
    return format_number(value, 1)


def count(value: float | None) -> str:
    return format_number(value, 0)


def minutes(value: float | None) -> str:
    text = format_number(value, 1)
    return text if text == "n/a" else f"{text} min"


def days(value: float | None) -> str:
    text = format_number(value, 1)
    return text if text == "n/a" else f"{text} days"


def score(value: float | None) -> str:
    text = format_number(value, 2)
    return text if text == "n/a" else f"{text} / 5"


def month_label(month: dt.date) -> str:
    return month.strftime("%b %Y")


def mom(current: float | None, previous: float | None, decimals: int, since: dt.date) -> dict:
    """The month-over-month change of a card: st.metric's delta ('+1,234.5', grey 0 when
    unchanged) and its description ('vs Sep 2026'); nothing without both months."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return {}
    change = float(current) - float(previous)
    if round(change, decimals) == 0:
        return {"delta": 0, "delta_description": f"vs {month_label(since)}"}
    sign = "-" if change < 0 else "+"
    return {
        "delta": f"{sign}{format_number(abs(change), decimals)}",
        "delta_description": f"vs {month_label(since)}",
    }


# --- helpers -----------------------------------------------------------------------------------


def by_month(frame: pd.DataFrame, months: Sequence[dt.date]) -> pd.DataFrame:
    """One row per month of the window (months without a row in the mart are zeros)."""
    index = pd.Index(list(months), name="month")
    return frame.set_index("month").reindex(index, fill_value=0.0).reset_index()


def row(frame: pd.DataFrame, month: dt.date) -> pd.Series | None:
    found = frame[frame["month"] == month]
    return None if found.empty else found.iloc[0]


def value(frame_row: pd.Series | None, column: str) -> float | None:
    return None if frame_row is None else float(frame_row[column])


def window_months(all_months: Sequence[dt.date], first: dt.date, last: dt.date) -> list[dt.date]:
    return [m for m in all_months if first <= m <= last]


def help_text(defs: definitions.Definitions, metric: str, note: str = "") -> str | None:
    text = defs.metric(metric)
    text = f"{text} {note}".strip()
    return text or None


def metric_definitions(defs: definitions.Definitions, *names: str) -> list[tuple[str, str]]:
    return [(defs.metric_label(name), defs.metric(name)) for name in names]


def column_help(
    defs: definitions.Definitions,
    model: str,
    columns: Sequence[str],
    labels: dict[str, str] | None = None,
) -> dict:
    """Column headers (short `labels` where given) with the column descriptions as tooltips."""
    labels = labels or {}
    return {
        column: st.column_config.Column(
            label=labels.get(column), help=defs.column(model, column) or None
        )
        for column in columns
    }


def month_axis(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def line_chart(frame: pd.DataFrame, y: str, title: str, color: str | None = None, fmt=",.1f"):
    encoding = {
        "x": alt.X(
            "month:T", title=None, axis=alt.Axis(format="%b %Y"), scale=alt.Scale(padding=12)
        ),
        "y": alt.Y(f"{y}:Q", title=title),
        "tooltip": [alt.Tooltip("month:T", format="%B %Y", title="month")]
        + ([alt.Tooltip(f"{color}:N")] if color else [])
        + [alt.Tooltip(f"{y}:Q", format=fmt, title=title)],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None)
    chart = alt.Chart(month_axis(frame)).mark_line(point=True).encode(**encoding)
    return chart.properties(height=280).interactive(bind_y=False)


def bar_by_month(frame: pd.DataFrame, series: dict[str, str], title: str, stacked: bool):
    """Bars per month of several columns (`series`: column -> legend name)."""
    long = month_axis(frame).melt(
        id_vars="month", value_vars=list(series), var_name="series", value_name="value"
    )
    long["series"] = long["series"].map(series)
    encoding = {
        "x": alt.X("yearmonth(month):O", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
        "y": alt.Y("value:Q", title=title, stack="zero" if stacked else None),
        "color": alt.Color("series:N", title=None, sort=list(series.values())),
        "tooltip": [
            alt.Tooltip("month:T", format="%B %Y", title="month"),
            alt.Tooltip("series:N", title="what"),
            alt.Tooltip("value:Q", format=",.0f", title=title),
        ],
    }
    if not stacked:
        encoding["xOffset"] = alt.XOffset("series:N", sort=list(series.values()))
    return alt.Chart(long).mark_bar().encode(**encoding).properties(height=280)


# --- the page ----------------------------------------------------------------------------------


def body(reader: Reader, section: str) -> None:
    """The filters (shared by every page of the report), then the page's section."""
    defs = definitions.load()
    if not defs.available:
        st.caption(
            "The definitions beside the figures come from dbt's artifacts, which are missing: "
            "run `make build` to show them."
        )
    all_months = q.months(reader)
    all_regions = q.regions(reader)

    left, right = st.columns([3, 2])
    with left:
        first, last = components.month_range("Months", all_months, key="metering_months")
    with right:
        st.multiselect(
            "Regions",
            all_regions,
            default=all_regions,
            key=components.kept("metering_regions", lambda v: set(v) <= set(all_regions)),
        )
        regions = components.keep("metering_regions")
    if not regions:
        st.warning("No region selected: choose at least one region to see its figures.")
        return
    regions = sorted(regions)
    months = window_months(all_months, first, last)
    before = q.previous_month(last)
    st.caption(
        f"{month_label(first)} to {month_label(last)}, {', '.join(regions)}. Cards show "
        f"{month_label(last)} (the last month of the range) with the change on "
        f"{month_label(before)}, or the whole range where their label says so. The filters "
        "apply to every page of the report."
    )
    match section:
        case "overview":
            overview(reader, defs, months, first, last, regions)
        case "consumption":
            consumption(reader, defs, first, last, regions)
        case "meters":
            meter_performance(reader, defs, months, first, last, regions)
        case "revenue":
            revenue(reader, defs, first, last, regions)
        case "customers":
            customers(reader, defs, months, first, last, regions)
        case "operations":
            operations(reader, defs, months, first, last, regions)
        case "drill_down":
            drill_down(reader, defs, months, regions)
        case _:
            raise ValueError(f"no section {section!r} in the metering dashboard")


def page(section: str) -> None:
    """Draw one page of the report: `section` is the part of its url after 'metering_'."""
    url = PAGE if section == "overview" else f"{PAGE}_{section}"
    title = pages.PAGES[url].title
    components.run_page(
        url, f"Smart metering dashboard (001): {title}", REPORT, lambda r: body(r, section)
    )


def overview(reader, defs, months, first, last, regions) -> None:
    st.header("Overview", divider="gray")
    before = q.previous_month(last)
    frame = q.overview_by_month(reader, min(first, before), last, regions)
    now, then = row(frame, last), row(frame, before)
    in_range = frame[frame["month"] >= first]
    since = month_label(last)

    cards = components.card_rows(5)
    cards[0].metric(
        "Total customers",
        count(value(now, "customers_in_supply")),
        **mom(value(now, "customers_in_supply"), value(then, "customers_in_supply"), 0, before),
        chart_data=list(in_range["customers_in_supply"]),
        help=help_text(defs, "total_customers", f"Month: {since}."),
    )
    cards[1].metric(
        "Consumption (kWh)",
        kwh(value(now, "consumption_kwh")),
        **mom(value(now, "consumption_kwh"), value(then, "consumption_kwh"), 1, before),
        chart_data=list(in_range["consumption_kwh"]),
        help=help_text(defs, "consumption_kwh", f"Month: {since}."),
    )
    cards[2].metric(
        "Revenue",
        format_gbp(value(now, "revenue_gbp")),
        **mom(value(now, "revenue_gbp"), value(then, "revenue_gbp"), 2, before),
        chart_data=list(in_range["revenue_gbp"]),
        help=help_text(defs, "revenue_gbp", f"Month: {since}."),
    )
    cards[3].metric(
        "Meters in service (active)",
        count(value(now, "meters_in_service")),
        **mom(value(now, "meters_in_service"), value(then, "meters_in_service"), 0, before),
        chart_data=list(in_range["meters_in_service"]),
        help=help_text(defs, "meters_in_service", f"Month end: {since}."),
    )
    cards[4].metric(
        "Meters inactive",
        count(value(now, "meters_inactive")),
        **mom(value(now, "meters_inactive"), value(then, "meters_inactive"), 0, before),
        chart_data=list(in_range["meters_inactive"]),
        delta_color="inverse",
        help=help_text(defs, "meters_removed", f"Month end: {since}."),
    )
    totals = components.card_rows(2)
    totals[0].metric(
        "Consumption over the range (kWh)",
        kwh(in_range["consumption_kwh"].sum()),
        help=help_text(defs, "consumption_kwh", "Summed over the months of the range."),
    )
    totals[1].metric(
        "Revenue over the range",
        format_gbp(in_range["revenue_gbp"].sum()),
        help=help_text(defs, "revenue_gbp", "Summed over the months of the range."),
    )
    by_region = q.overview_by_region(reader, last, regions)
    with st.expander(f"Overview by region, {since}"):
        st.dataframe(
            by_region.rename(
                columns={
                    "customers_in_supply": "customers",
                    "consumption_kwh": "consumption (kWh)",
                    "revenue_gbp": "revenue (£)",
                    "meters_in_service": "meters in service",
                    "meters_inactive": "meters inactive",
                }
            ),
            hide_index=True,
            key="metering_overview_regions",
            column_config={
                "consumption (kWh)": st.column_config.NumberColumn(format="%.1f"),
                "revenue (£)": st.column_config.NumberColumn(format="£%.2f"),
                "customers": st.column_config.NumberColumn(format="%d"),
                "meters in service": st.column_config.NumberColumn(format="%d"),
                "meters inactive": st.column_config.NumberColumn(format="%d"),
            },
        )
    components.definition_list(
        metric_definitions(
            defs,
            "total_customers",
            "consumption_kwh",
            "revenue_gbp",
            "meters_in_service",
            "meters_removed",
        )
        + [("Overview mart", defs.model("fct_metering_overview_monthly"))],
        title="Definitions: overview",
    )


def consumption(reader, defs, first, last, regions) -> None:
    st.header("Consumption", divider="gray")
    frame = q.consumption_by_month_region(reader, first, last, regions)
    left, right = st.columns(2)
    with left:
        st.subheader("Consumption by region")
        by_region = frame.groupby(["region", "fuel_type"], as_index=False)["consumption_kwh"].sum()
        chart = (
            alt.Chart(by_region)
            .mark_bar()
            .encode(
                x=alt.X("region:N", title=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y("consumption_kwh:Q", title="kWh over the range"),
                color=alt.Color("fuel_type:N", title="fuel"),
                tooltip=[
                    alt.Tooltip("region:N"),
                    alt.Tooltip("fuel_type:N", title="fuel"),
                    alt.Tooltip("consumption_kwh:Q", format=",.1f", title="kWh"),
                ],
            )
            .properties(height=280)
        )
        st.altair_chart(chart, key="metering_consumption_region_chart")
    with right:
        st.subheader("Monthly consumption trend")
        trend = frame.groupby(["month", "region"], as_index=False)["consumption_kwh"].sum()
        st.altair_chart(
            line_chart(trend, "consumption_kwh", "kWh", color="region"),
            key="metering_consumption_trend_chart",
        )
    st.subheader("Top 10 consumers")
    top = q.top_consumers(reader, first, last, regions, limit=10)
    st.caption(
        "Customers (by id; no personal data) with the highest consumption over the range, per "
        "region of the meter points read."
    )
    st.dataframe(
        top.rename(columns={"consumption_kwh": "consumption (kWh)", "months_read": "months read"}),
        hide_index=True,
        key="metering_top_consumers",
        column_config={
            "customer_id": st.column_config.NumberColumn(format="%d"),
            "consumption (kWh)": st.column_config.NumberColumn(format="%.1f"),
            "reads": st.column_config.NumberColumn(format="%d"),
            "months read": st.column_config.NumberColumn(format="%d"),
        },
    )
    components.definition_list(
        metric_definitions(defs, "consumption_kwh", "customer_consumption_kwh")
        + [("Top consumers", defs.model("fct_metering_customer_consumption_monthly"))],
        title="Definitions: consumption",
    )


def meter_performance(reader, defs, months, first, last, regions) -> None:
    st.header("Meter performance", divider="gray")
    as_of = components.format_date(st.session_state.get(f"{PAGE}_as_of_date"))
    st.caption(
        f"Health, status and faulty meters are the meters as they stand on the as-of date "
        f"({as_of}): the month range does not apply to them; the reading time follows it."
    )
    snapshot = q.meter_snapshot(reader, regions)
    meters = snapshot["meters"].sum()
    health = snapshot.groupby("health_status")["meters"].sum()
    faulty = q.faulty_meters(reader, regions)
    before = q.previous_month(last)
    readings = q.reading_time_by_month(reader, min(first, before), last, regions)
    readings = by_month(readings, sorted({*months, before}))
    now, then = row(readings, last), row(readings, before)
    in_range = readings[readings["month"] >= first]

    def latency(frame_row) -> float | None:
        if frame_row is None:
            return None
        return ratio(frame_row["latency_minutes_total"], frame_row["readings_with_latency"])

    cards = components.card_rows(4)
    for column, status, metric in zip(
        cards[:3],
        ["Good", "Fair", "Poor"],
        ["good_health_meter_share", "fair_health_meter_share", "poor_health_meter_share"],
        strict=True,
    ):
        column.metric(
            f"Meters in {status.lower()} health",
            format_pct(ratio(health.get(status, 0.0), meters)),
            help=help_text(defs, metric),
        )
    cards[3].metric(
        "Faulty meters", count(faulty.totals["meters"]), help=help_text(defs, "faulty_meters")
    )
    reading_cards = components.card_rows(2)
    left, right = st.columns(2)
    reading_cards[0].metric(
        "Average reading time",
        minutes(latency(now)),
        **mom(latency(now), latency(then), 1, before),
        delta_color="inverse",
        help=help_text(defs, "average_reading_latency_minutes", f"Month: {month_label(last)}."),
    )
    reading_cards[1].metric(
        "Reading time over the range",
        minutes(
            ratio(in_range["latency_minutes_total"].sum(), in_range["readings_with_latency"].sum())
        ),
        help=help_text(defs, "average_reading_latency_minutes", "Over the months of the range."),
    )
    with left:
        st.subheader("Meter health by region")
        shares = snapshot.groupby(["region", "health_status"], as_index=False)["meters"].sum()
        chart = (
            alt.Chart(shares)
            .mark_bar()
            .encode(
                x=alt.X("region:N", title=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y(
                    "meters:Q",
                    stack="normalize",
                    title="share of meters",
                    axis=alt.Axis(format="%"),
                ),
                color=alt.Color(
                    "health_status:N",
                    title="health",
                    sort=["Good", "Fair", "Poor"],
                    scale=alt.Scale(
                        domain=["Good", "Fair", "Poor"], range=["#2e7d32", "#f9a825", "#c62828"]
                    ),
                ),
                tooltip=["region:N", alt.Tooltip("health_status:N", title="health"), "meters:Q"],
            )
            .properties(height=280)
        )
        st.altair_chart(chart, key="metering_health_chart")
    with right:
        st.subheader("Average reading time by month")
        trend = in_range.assign(
            average_minutes=[
                ratio(t, n)
                for t, n in zip(
                    in_range["latency_minutes_total"],
                    in_range["readings_with_latency"],
                    strict=True,
                )
            ]
        )
        st.altair_chart(
            line_chart(trend, "average_minutes", "minutes"), key="metering_reading_time_chart"
        )
    st.subheader("Faulty meters")
    shown = len(faulty.rows)
    st.caption(
        f"{count(faulty.totals['meters'])} faulty meters"
        + (f" (the first {shown} shown)" if shown < faulty.totals["meters"] else "")
        + ", most faults in the last 90 days first."
    )
    st.dataframe(
        faulty.rows,
        hide_index=True,
        key="metering_faulty_meters",
        column_config=column_help(defs, "dim_metering_meters", list(faulty.rows.columns)),
    )
    components.definition_list(
        metric_definitions(
            defs,
            "good_health_meter_share",
            "fair_health_meter_share",
            "poor_health_meter_share",
            "faulty_meters",
            "average_reading_latency_minutes",
        ),
        title="Definitions: meter performance",
    )


def revenue(reader, defs, first, last, regions) -> None:
    st.header("Revenue", divider="gray")
    frame = q.revenue_by_month_region(reader, first, last, regions)
    status = {
        "paid": frame["paid_bills"].sum(),
        "part paid": frame["part_paid_bills"].sum(),
        "unpaid": frame["unpaid_bills"].sum(),
    }
    bills = frame["bills"].sum()
    cards = components.card_rows(4)
    cards[0].metric("Bills paid", count(status["paid"]), help=help_text(defs, "paid_bills"))
    cards[1].metric(
        "Bills part paid",
        count(status["part paid"]),
        help="Bills with some SUCCESSFUL payments, short of the gross amount (over the range).",
    )
    cards[2].metric(
        "Bills unpaid",
        count(status["unpaid"]),
        help="Bills with no SUCCESSFUL payment counted against them (over the range).",
    )
    cards[3].metric(
        "Share of bills paid",
        format_pct(ratio(status["paid"], bills)),
        help=help_text(defs, "paid_bill_share", "Over the range."),
    )
    left, middle, right = st.columns([2, 3, 2])
    with left:
        st.subheader("Revenue by region")
        by_region = frame.groupby("region", as_index=False)["revenue_gbp"].sum()
        chart = (
            alt.Chart(by_region)
            .mark_bar()
            .encode(
                x=alt.X("region:N", title=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y("revenue_gbp:Q", title="£ over the range"),
                tooltip=["region:N", alt.Tooltip("revenue_gbp:Q", format=",.2f", title="£")],
            )
            .properties(height=280)
        )
        st.altair_chart(chart, key="metering_revenue_region_chart")
    with middle:
        st.subheader("Revenue trend")
        trend = frame.groupby(["month", "region"], as_index=False)["revenue_gbp"].sum()
        st.altair_chart(
            line_chart(trend, "revenue_gbp", "£", color="region", fmt=",.2f"),
            key="metering_revenue_trend_chart",
        )
    with right:
        st.subheader("Paid vs unpaid bills")
        pie = pd.DataFrame({"status": list(status), "bills": list(status.values())})
        chart = (
            alt.Chart(pie)
            .mark_arc(innerRadius=50)
            .encode(
                theta="bills:Q",
                color=alt.Color(
                    "status:N",
                    sort=list(status),
                    scale=alt.Scale(domain=list(status), range=["#2e7d32", "#f9a825", "#c62828"]),
                ),
                tooltip=["status:N", alt.Tooltip("bills:Q", format=",.0f")],
            )
            .properties(height=280)
        )
        st.altair_chart(chart, key="metering_payment_status_chart")
    components.definition_list(
        metric_definitions(
            defs, "revenue_gbp", "bills_billed", "paid_bills", "unpaid_bills", "paid_bill_share"
        )
        + [("Payment status", defs.column("fct_metering_bills", "payment_status"))],
        title="Definitions: revenue",
    )


def customers(reader, defs, months, first, last, regions) -> None:
    st.header("Customers", divider="gray")
    before = q.previous_month(last)
    window = sorted({*months, before})
    supply = by_month(q.customers_by_month(reader, min(first, before), last, regions), window)
    feedback = by_month(q.feedback_by_month(reader, min(first, before), last, regions), window)
    now_s, then_s = row(supply, last), row(supply, before)
    now_f, then_f = row(feedback, last), row(feedback, before)
    in_range = feedback[feedback["month"] >= first]
    since = f"Month: {month_label(last)}."

    cards = components.card_rows(6)
    cards[0].metric(
        "Satisfaction score",
        score(
            ratio(in_range["satisfaction_score_total"].sum(), in_range["survey_responses"].sum())
        ),
        help=help_text(
            defs, "average_satisfaction_score", "Over the survey responses of the range."
        ),
    )
    cards[1].metric(
        "Survey responses",
        count(in_range["survey_responses"].sum()),
        help=help_text(defs, "survey_responses", "Over the range."),
    )
    for column, name, label in [
        (cards[2], "new_customers", "New customers"),
        (cards[3], "returning_customers", "Returning customers"),
    ]:
        column.metric(
            label,
            count(value(now_s, name)),
            **mom(value(now_s, name), value(then_s, name), 0, before),
            help=help_text(defs, name, since),
        )
    for column, name, label, colour in [
        (cards[4], "complaints_received", "Complaints received", "inverse"),
        (cards[5], "complaints_resolved", "Complaints resolved", "normal"),
    ]:
        column.metric(
            label,
            count(value(now_f, name)),
            **mom(value(now_f, name), value(then_f, name), 0, before),
            delta_color=colour,
            help=help_text(defs, name, since),
        )
    left, middle, right = st.columns(3)
    with left:
        st.subheader("New vs returning customers")
        st.altair_chart(
            bar_by_month(
                supply[supply["month"] >= first],
                {"new_customers": "new", "returning_customers": "returning"},
                "customers",
                stacked=True,
            ),
            key="metering_new_returning_chart",
        )
    with middle:
        st.subheader("Complaints received and resolved")
        st.altair_chart(
            bar_by_month(
                in_range,
                {"complaints_received": "received", "complaints_resolved": "resolved"},
                "complaints",
                stacked=False,
            ),
            key="metering_complaints_chart",
        )
    with right:
        st.subheader("Satisfaction score by month")
        trend = in_range[in_range["survey_responses"] > 0]
        trend = trend.assign(score=trend["satisfaction_score_total"] / trend["survey_responses"])
        st.altair_chart(
            line_chart(trend, "score", "score (1 to 5)", fmt=".2f"),
            key="metering_satisfaction_chart",
        )
    components.definition_list(
        metric_definitions(
            defs,
            "average_satisfaction_score",
            "new_customers",
            "returning_customers",
            "complaints_received",
            "complaints_resolved",
        ),
        title="Definitions: customers",
    )


def operations(reader, defs, months, first, last, regions) -> None:
    st.header("Operations", divider="gray")
    frame = by_month(q.operations_by_month(reader, first, last, regions), months)
    cards = components.card_rows(5)
    cards[0].metric(
        "Maintenance requests received",
        count(frame["maintenance_requests_received"].sum()),
        help=help_text(defs, "maintenance_requests_received", "Over the range."),
    )
    cards[1].metric(
        "Maintenance requests processed",
        count(frame["maintenance_requests_processed"].sum()),
        help=help_text(defs, "maintenance_requests_processed", "Over the range."),
    )
    cards[2].metric(
        "Installations",
        count(frame["installs"].sum()),
        help=help_text(defs, "smart_meter_installs", "Over the range."),
    )
    cards[3].metric(
        "Installation time",
        days(ratio(frame["days_booking_to_install_total"].sum(), frame["installs_timed"].sum())),
        help=help_text(defs, "average_days_booking_to_install", "Over the range."),
    )
    cards[4].metric(
        "Time on site",
        minutes(ratio(frame["minutes_on_site_total"].sum(), frame["install_visits_timed"].sum())),
        help=help_text(defs, "average_minutes_on_site", "Over the range."),
    )
    left, right = st.columns(2)
    with left:
        st.subheader("Maintenance requests by month")
        st.altair_chart(
            bar_by_month(
                frame,
                {
                    "maintenance_requests_received": "received",
                    "maintenance_requests_processed": "processed",
                },
                "requests",
                stacked=False,
            ),
            key="metering_maintenance_chart",
        )
    with right:
        st.subheader("Installations by month")
        st.altair_chart(
            bar_by_month(frame, {"installs": "installations"}, "installations", stacked=True),
            key="metering_installs_chart",
        )
    st.subheader("Technician performance")
    technicians = q.technician_performance(reader, first, last, regions)
    st.caption(
        "Installations and maintenance jobs completed over the range, per technician (by id "
        "and region; no names), in the selected regions."
    )
    left, right = st.columns(2)
    with left:
        long = technicians.melt(
            id_vars=["technician_id", "region"],
            value_vars=["installs_completed", "maintenance_jobs_completed"],
            var_name="job",
            value_name="jobs",
        )
        long["technician"] = "T" + long["technician_id"].astype(str) + " (" + long["region"] + ")"
        long["job"] = long["job"].map(
            {"installs_completed": "installations", "maintenance_jobs_completed": "maintenance"}
        )
        chart = (
            alt.Chart(long)
            .mark_bar()
            .encode(
                y=alt.Y("technician:N", title=None, sort="-x", axis=alt.Axis(labelOverlap=False)),
                x=alt.X("sum(jobs):Q", title="jobs completed"),
                color=alt.Color("job:N", title=None),
                tooltip=["technician:N", "job:N", alt.Tooltip("jobs:Q", format=",.0f")],
            )
            .properties(height=max(160, 26 * technicians["technician_id"].nunique()))
        )
        st.altair_chart(chart, key="metering_technicians_chart")
    with right:
        shown = {
            "technician_id": "technician",
            "region": "region",
            "install_visits": "visits",
            "installs_completed": "installs",
            "maintenance_jobs_completed": "maintenance",
            "jobs_completed": "jobs",
        }
        st.dataframe(
            technicians[list(shown)],
            hide_index=True,
            key="metering_technicians",
            column_config={
                **column_help(
                    defs, "fct_operations_technician_performance_monthly", list(shown), shown
                ),
                "technician_id": st.column_config.NumberColumn(
                    "technician", format="%d", help="Technician id (no names)."
                ),
            },
        )
    components.definition_list(
        metric_definitions(
            defs,
            "smart_meter_installs",
            "average_days_booking_to_install",
            "average_minutes_on_site",
            "maintenance_requests_received",
            "maintenance_requests_processed",
            "technician_installs_completed",
            "technician_maintenance_jobs_completed",
            "technician_jobs_completed",
        ),
        title="Definitions: operations",
    )


def drill_down(reader, defs, months, regions) -> None:
    st.header("Drill-down: a region and a month", divider="gray")
    options = sorted(months, reverse=True)
    # a selection the filters no longer offer falls back to the default
    if st.session_state.get("metering_drill_region") not in regions:
        st.session_state.pop("metering_drill_region", None)
    if st.session_state.get("metering_drill_month") not in options:
        st.session_state.pop("metering_drill_month", None)
    left, right, _ = st.columns([1, 1, 2])
    region = left.selectbox("Region", regions, index=0, key="metering_drill_region")
    month = right.selectbox(
        "Month", options, index=0, format_func=month_label, key="metering_drill_month"
    )
    slice_name = f"{region}, {month_label(month)}"
    customers_ = q.drill_customers(reader, region, month)
    meters = q.drill_meters(reader, region, month)
    installs = q.drill_installs(reader, region, month)
    maintenance = q.drill_maintenance(reader, region, month)
    technicians = q.drill_technicians(reader, region, month)

    cards = components.card_rows(8)
    cards[0].metric(
        "Drill-down consumption (kWh)",
        kwh(customers_.totals["consumption_kwh"]),
        help=help_text(defs, "consumption_kwh", f"{slice_name}: the sum of its customer rows."),
    )
    cards[1].metric("Drill-down customers read", count(customers_.totals["customers"]))
    cards[2].metric(
        "Drill-down meters in service",
        count(meters.totals["meters_in_service"]),
        help=help_text(defs, "meters_in_service", f"Month end of {month_label(month)}."),
    )
    cards[3].metric(
        "Drill-down meters inactive",
        count(meters.totals["meters_inactive"]),
        help=help_text(defs, "meters_removed", f"Month end of {month_label(month)}."),
    )
    cards[4].metric(
        "Drill-down installations",
        count(installs.totals["installs"]),
        help=help_text(defs, "smart_meter_installs", slice_name),
    )
    cards[5].metric(
        "Drill-down requests received",
        count(maintenance.totals["received"]),
        help=help_text(defs, "maintenance_requests_received", slice_name),
    )
    cards[6].metric(
        "Drill-down requests processed",
        count(maintenance.totals["processed"]),
        help=help_text(defs, "maintenance_requests_processed", slice_name),
    )
    cards[7].metric("Drill-down technicians", count(technicians.totals["technicians"]))

    def shown(drill: q.Drill, total: float, what: str) -> None:
        rows = len(drill.rows)
        suffix = f"; the first {rows} shown" if rows < total else ""
        st.caption(f"{count(total)} {what} in {slice_name}{suffix}.")

    tabs = st.tabs(["Customers", "Meters", "Installations", "Maintenance requests", "Technicians"])
    with tabs[0]:
        shown(customers_, customers_.totals["customers"], "customers read (highest first)")
        st.dataframe(
            customers_.rows,
            hide_index=True,
            key="metering_drill_customers",
            column_config={
                **column_help(
                    defs, "fct_metering_customer_consumption_monthly", customers_.rows.columns
                ),
                "customer_id": st.column_config.NumberColumn(format="%d"),
                "consumption_kwh": st.column_config.NumberColumn(
                    "consumption (kWh)",
                    format="%.1f",
                    help=defs.column("fct_metering_customer_consumption_monthly", "consumption_kwh")
                    or None,
                ),
                "export_kwh": st.column_config.NumberColumn("export (kWh)", format="%.1f"),
            },
        )
    with tabs[1]:
        shown(meters, meters.totals["meters"], "meters installed by the month end")
        st.dataframe(
            meters.rows,
            hide_index=True,
            key="metering_drill_meters",
            column_config={
                **column_help(defs, "dim_metering_meters", meters.rows.columns),
                "meter_id": st.column_config.NumberColumn(format="%d"),
            },
        )
    with tabs[2]:
        shown(installs, installs.totals["installs"], "installations")
        st.dataframe(
            installs.rows,
            hide_index=True,
            key="metering_drill_installs",
            column_config={
                **column_help(defs, "fct_operations_installs", installs.rows.columns),
                "booking_id": st.column_config.NumberColumn(format="%d"),
                "customer_id": st.column_config.NumberColumn(format="%d"),
                "technician_id": st.column_config.NumberColumn(format="%d"),
            },
        )
    with tabs[3]:
        shown(
            maintenance,
            maintenance.totals["requests"],
            "maintenance requests received or processed",
        )
        st.dataframe(
            maintenance.rows,
            hide_index=True,
            key="metering_drill_maintenance",
            column_config={
                **column_help(
                    defs, "fct_operations_maintenance_requests", maintenance.rows.columns
                ),
                "maintenance_request_id": st.column_config.NumberColumn(format="%d"),
                "meter_id": st.column_config.NumberColumn(format="%d"),
                "technician_id": st.column_config.NumberColumn(format="%d"),
            },
        )
    with tabs[4]:
        shown(technicians, technicians.totals["technicians"], "technicians with a job")
        st.dataframe(
            technicians.rows,
            hide_index=True,
            key="metering_drill_technicians",
            column_config={
                **column_help(
                    defs, "fct_operations_technician_performance_monthly", technicians.rows.columns
                ),
                "technician_id": st.column_config.NumberColumn(format="%d"),
            },
        )
