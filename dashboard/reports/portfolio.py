"""Portfolio report (002): the PAYG portfolio by month, sliced by every dimension of 002.

Filters on top (activity months and one multiselect per slicer, items 30-36 of 002; nothing
selected = all); overview cards for the last month of the range with the change against the
month before; every KPI of the data dictionary by month; the Portfolio Category hierarchy over
time; Portfolio at Risk by count and by balance; the default and churn cohort matrices;
notifications. Every definition shown comes from the yml (model, column and metric
descriptions) through dashboard.definitions. No personal data: no account-level row is read.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import components, definitions, pages
from dashboard.data import Reader
from dashboard.data import portfolio as data

PAGE = "portfolio"
MONTHLY_MODEL = "fct_portfolio_monthly"
ACCOUNT_MODEL = "fct_portfolio_account_monthly"

CARDS = (
    "All Accounts",
    "Contracted Portfolio Size",
    "Active Portfolio Size",
    "Defaulters",
    "% Portfolio in Default",
    "Default Rate",
    "Churn Rate",
    "Churn Rate (90 days)",
    "Net Completion Rate",
    "Net Completion Rate (30 days)",
    "PAR-30 Rate (count)",
    "Collection rate",
)
# A rise of these is bad news: their delta is coloured the other way round.
WORSE_WHEN_UP = {
    "Defaulters",
    "% Portfolio in Default",
    "Default Rate",
    "Churn Rate",
    "Churn Rate (90 days)",
    "PAR-30 Rate (count)",
}
KPI_TABLES = {
    "Portfolio size": (
        "All Accounts",
        "Contracted Portfolio Size",
        "Active Portfolio Size",
        "Defaulters",
        "Churned Portfolio Size",
        "Paid Portfolio Size",
        "% Portfolio in Default",
        "% DP only Defaulters",
    ),
    "Default and churn": (
        "Delta in Defaulters",
        "Repo (count)",
        "Write Off (count)",
        "Default Rate",
        "Churn Rate",
        "Churn Rate (90 days)",
        "Repo Rate",
        "Write Off Rate",
    ),
    "Completions": (
        "Completions (count)",
        "Opt Outs (count)",
        "Uncompletions (count)",
        "Completion Rate",
        "Opt Out Rate",
        "Uncompletions Rate",
        "Net Completions (count)",
        "Net Completion Rate",
        "Net Completion Rate (30 days)",
    ),
    "Portfolio at risk and collections": (
        "PAR-30 Rate (count)",
        "PAR-60 Rate (count)",
        "PAR-90 Rate (count)",
        "PAR-120 Rate (count)",
        "PAR-30 Rate (balance)",
        "PAR-60 Rate (balance)",
        "PAR-90 Rate (balance)",
        "PAR-120 Rate (balance)",
        "Outstanding balance",
        "Collection rate",
    ),
}
# One colour per category at every level: greens in credit, amber late, red in default, brown and
# purple churned, blues paid, grey inactive.
CATEGORY_COLOURS = {
    "Contracted Portfolio": "#2e7d32",
    "Uncontracted Portfolio": "#90a4ae",
    "Active Portfolio": "#43a047",
    "Defaulted Portfolio": "#e53935",
    "Churned": "#6d4c41",
    "Paid": "#1e88e5",
    "Inactive/Void": "#bdbdbd",
    "New": "#a5d6a7",
    "Normal": "#43a047",
    "Late": "#fbc02d",
    "Defaulted": "#e53935",
    "Repossessed": "#6d4c41",
    "Lost/Written Off": "#8e24aa",
    "Finished": "#1e88e5",
    "Completed": "#1e88e5",
    "Opted Out": "#64b5f6",
    "Upfront": "#00897b",
    "Other": "#bdbdbd",
}
TABLE_KEYS = {
    "Portfolio size": "portfolio_kpis_size",
    "Default and churn": "portfolio_kpis_default_churn",
    "Completions": "portfolio_kpis_completions",
    "Portfolio at risk and collections": "portfolio_kpis_par",
}


def show_table(frame: pd.DataFrame, key: str, **kwargs) -> None:
    """A list, in a container keyed `key` (a display dataframe carries no key of its own: the
    container's is what AppTest and the browser find, as `st-key-<key>`)."""
    with st.container(key=key):
        st.dataframe(frame, hide_index=True, key=key, **kwargs)


def table_height(rows: int) -> int:
    """Pixels showing every row (35 px a row and the header), up to 24 rows."""
    return 38 + 35 * min(rows, 24)


def show_chart(figure: alt.TopLevelMixin, key: str) -> None:
    """An Altair chart in a container keyed `key`."""
    with st.container(key=key):
        st.altair_chart(figure, key=key)


def month_label(month: dt.date) -> str:
    return pd.Timestamp(month).strftime("%B %Y")


def kpi_definition(defs: definitions.Definitions, kpi: data.Kpi) -> str:
    """The metric's description (semantic layer), else the mart column's."""
    return defs.metric(kpi.metric) or defs.column(MONTHLY_MODEL, kpi.numerator)


def format_kpi(kpi: data.Kpi, value) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    if kpi.kind == "rate":
        return components.format_pct(value, kpi.decimals)
    return components.format_number(value, kpi.decimals)


def format_delta(kpi: data.Kpi, current, previous) -> str | None:
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    change = float(current) - float(previous)
    if kpi.kind == "rate":
        return f"{change * 100:+.{kpi.decimals}f} pp"
    return f"{change:+,.{kpi.decimals}f}"


def filters_section(reader: Reader, defs: definitions.Definitions):
    all_months = data.months(reader)
    options = data.slicer_options(reader)
    start, end = components.month_range("Activity Month", all_months, key="portfolio_months")
    filters: dict[str, list[str]] = {}
    columns = st.columns(4)
    for i, slicer in enumerate(data.SLICERS):
        key = f"portfolio_{slicer.key}"
        allowed = set(options[slicer.key])
        columns[i % 4].multiselect(
            slicer.label,
            options[slicer.key],
            key=components.kept(key, lambda v, allowed=allowed: set(v) <= allowed),
            placeholder="All",
            help=defs.column(ACCOUNT_MODEL, slicer.column) or None,
        )
        filters[slicer.key] = components.keep(key)
    return start, end, filters


def cards_section(kpis: pd.DataFrame, end: dt.date, defs: definitions.Definitions) -> None:
    current = kpis[kpis["activity_month"] == end]
    previous = kpis[kpis["activity_month"] == data.previous_month(end)]
    st.subheader(f"Overview: {month_label(end)}")
    st.caption(
        f"Month-end figures for {month_label(end)} over the selected slice; the change is against "
        f"{month_label(data.previous_month(end))} (pp: percentage points)."
    )
    slots = components.card_rows(len(CARDS))
    for slot, label in zip(slots, CARDS, strict=True):
        kpi = data.KPI_BY_LABEL[label]
        value = current[label].iloc[0] if not current.empty else None
        before = previous[label].iloc[0] if not previous.empty else None
        slot.metric(
            label,
            format_kpi(kpi, value),
            delta=format_delta(kpi, value, before),
            delta_color="inverse" if label in WORSE_WHEN_UP else "normal",
            help=kpi_definition(defs, kpi) or None,
            border=True,
        )


def kpi_table_section(kpis: pd.DataFrame, start: dt.date, defs: definitions.Definitions) -> None:
    st.subheader("Every KPI of the data dictionary, by month")
    st.caption(
        "Items 1-24 of 002, summed over the slice and then divided (never averaged). Hover a "
        "column name for its definition. Notifications (item 25) and the cohorts (item 26) "
        "have pages of their own."
    )
    shown = kpis[kpis["activity_month"] >= start].copy()
    shown["Month"] = pd.to_datetime(shown["activity_month"])
    tabs = st.tabs(list(KPI_TABLES))
    for tab, (name, labels) in zip(tabs, KPI_TABLES.items(), strict=True):
        config = {"Month": st.column_config.DateColumn("Month", format="MMM YYYY", pinned=True)}
        for label in labels:
            kpi = data.KPI_BY_LABEL[label]
            config[label] = st.column_config.NumberColumn(
                label,
                help=kpi_definition(defs, kpi) or None,
                format="percent" if kpi.kind == "rate" else "localized",
            )
        with tab:
            show_table(
                shown[["Month", *labels]],
                column_config=config,
                key=TABLE_KEYS[name],
                height=table_height(len(shown)),
            )


def categories_section(
    reader: Reader, start: dt.date, end: dt.date, filters, defs: definitions.Definitions
) -> None:
    st.subheader("Portfolio categories over time")
    level = st.selectbox(
        "Level of the Portfolio Category hierarchy",
        list(data.LEVELS),
        index=1,
        key="portfolio_level",
        help=defs.column(ACCOUNT_MODEL, "portfolio_category") or None,
    )
    column, order = data.LEVELS[level]
    st.caption(
        f"Installed accounts at each month-end by {level.lower()} of the Portfolio Category "
        "(002, item 28); the Pre-Portfolio (not yet installed) is not shown. "
        + defs.column(ACCOUNT_MODEL, column)
    )
    frame = data.categories_by_month(reader, start, end, level, filters)
    if frame.empty:
        st.info("No installed account in this slice and these months.")
        return
    frame["order"] = frame["category"].map({c: i for i, c in enumerate(order)})
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(activity_month):O", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("accounts:Q", title="Accounts", stack="zero"),
            color=alt.Color(
                "category:N",
                title=level,
                scale=alt.Scale(domain=list(order), range=[CATEGORY_COLOURS[c] for c in order]),
                sort=list(order),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("yearmonth(activity_month):T", title="Month", format="%b %Y"),
                alt.Tooltip("category:N", title=level),
                alt.Tooltip("accounts:Q", title="Accounts", format=","),
            ],
        )
        .properties(height=340)
    )
    show_chart(chart, key="portfolio_categories_chart")
    with st.expander("The same as a table"):
        table = frame.pivot_table(
            index="activity_month", columns="category", values="accounts", aggfunc="sum"
        )
        table = table.reindex(columns=[c for c in order if c in table.columns]).fillna(0)
        table = table.astype("int64").reset_index()
        table.insert(0, "Month", pd.to_datetime(table.pop("activity_month")))
        show_table(
            table,
            column_config={"Month": st.column_config.DateColumn("Month", format="MMM YYYY")},
            key="portfolio_categories_table",
        )


def rate_lines(frame: pd.DataFrame, labels: list[str], title: str, key: str) -> None:
    long = frame.melt(
        id_vars="activity_month", value_vars=labels, var_name="measure", value_name="rate"
    ).dropna(subset=["rate"])
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(activity_month):O", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("rate:Q", title=title, axis=alt.Axis(format="%")),
            color=alt.Color("measure:N", title=None, sort=labels),
            tooltip=[
                alt.Tooltip("yearmonth(activity_month):T", title="Month", format="%b %Y"),
                alt.Tooltip("measure:N", title="KPI"),
                alt.Tooltip("rate:Q", title="Rate", format=".2%"),
            ],
        )
        .properties(height=280)
    )
    show_chart(chart, key=key)


def par_section(
    reader: Reader,
    kpis: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    filters,
    defs: definitions.Definitions,
) -> None:
    st.subheader("Portfolio at Risk")
    st.caption(defs.metric("portfolio_par_30_rate") or defs.column(ACCOUNT_MODEL, "par_bucket"))
    shown = kpis[kpis["activity_month"] >= start]
    left, right = st.columns(2)
    with left:
        st.markdown("**PAR by count** (share of the Contracted Portfolio's accounts)")
        rate_lines(
            shown,
            [f"PAR-{n} Rate (count)" for n in (30, 60, 90, 120)],
            "Share of accounts",
            "portfolio_par_count_chart",
        )
    with right:
        st.markdown("**PAR by balance** (share of the Contracted Portfolio's outstanding balance)")
        rate_lines(
            shown,
            [f"PAR-{n} Rate (balance)" for n in (30, 60, 90, 120)],
            "Share of outstanding balance",
            "portfolio_par_balance_chart",
        )
    buckets = data.par_buckets(reader, end, filters)
    st.markdown(f"**The Contracted Portfolio by days expired, {month_label(end)}**")
    st.caption(defs.column(ACCOUNT_MODEL, "par_bucket"))
    if buckets.empty:
        st.info("No contracted account in this slice at this month-end.")
        return
    accounts = buckets["accounts"].sum()
    balance = buckets["outstanding_balance"].sum()
    buckets["share_of_accounts"] = buckets["accounts"] / accounts if accounts else None
    buckets["share_of_balance"] = buckets["outstanding_balance"] / balance if balance else None
    left, right = st.columns(2)
    for column, value, title, key in (
        (left, "accounts", "Accounts", "portfolio_par_bucket_accounts_chart"),
        (right, "outstanding_balance", "Outstanding balance", "portfolio_par_bucket_balance_chart"),
    ):
        chart = (
            alt.Chart(buckets)
            .mark_bar()
            .encode(
                x=alt.X("par_bucket:N", title="Days expired", sort=list(data.PAR_BUCKETS)),
                y=alt.Y(f"{value}:Q", title=title),
                tooltip=[
                    alt.Tooltip("par_bucket:N", title="Days expired"),
                    alt.Tooltip("accounts:Q", title="Accounts", format=","),
                    alt.Tooltip(
                        "outstanding_balance:Q", title="Outstanding balance", format=",.0f"
                    ),
                ],
            )
            .properties(height=240)
        )
        with column:
            show_chart(chart, key=key)
    show_table(
        buckets[
            [
                "par_bucket",
                "accounts",
                "share_of_accounts",
                "outstanding_balance",
                "share_of_balance",
            ]
        ],
        column_config={
            "par_bucket": st.column_config.TextColumn("Days expired (PAR bucket)"),
            "accounts": st.column_config.NumberColumn("Accounts", format="localized"),
            "share_of_accounts": st.column_config.NumberColumn(
                "Share of accounts", format="percent"
            ),
            "outstanding_balance": st.column_config.NumberColumn(
                "Outstanding balance",
                format="localized",
                help=defs.column(ACCOUNT_MODEL, "outstanding_balance") or None,
            ),
            "share_of_balance": st.column_config.NumberColumn("Share of balance", format="percent"),
        },
        key="portfolio_par_buckets",
    )


SIZE_COLUMN = "Size"


def cohort_heatmap(frame: pd.DataFrame, title: str, numerator: str, denominator: str, key: str):
    """Cohort month (rows) x months since installation (columns), the cohort size beside."""
    frame = frame.copy()
    frame["Cohort"] = pd.to_datetime(frame["cohort_month"]).dt.strftime("%Y-%m")
    cohorts = sorted(frame["Cohort"].unique())
    sizes = frame[frame["months_since_installation"] == 0][["Cohort", "cohort_size"]].copy()
    # One x scale for the cohort size column and the matrix, so the rows line up.
    frame["column"] = frame["months_since_installation"].astype(str)
    sizes["column"] = SIZE_COLUMN
    columns = [SIZE_COLUMN] + [str(m) for m in sorted(frame["months_since_installation"].unique())]
    x = alt.X(
        "column:O",
        title=f"Months since installation ({SIZE_COLUMN.lower()} on the left)",
        sort=columns,
        scale=alt.Scale(domain=columns),
        axis=alt.Axis(labelAngle=0, orient="top"),
    )
    y = alt.Y(
        "Cohort:O",
        title="Cohort (installation month)",
        sort=cohorts,
        axis=alt.Axis(labelOverlap=False),
    )
    cells = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "rate:Q",
                title=None,
                scale=alt.Scale(scheme="orangered"),
                legend=alt.Legend(format="%", orient="top", gradientLength=300),
            ),
            tooltip=[
                alt.Tooltip("Cohort:O", title="Cohort"),
                alt.Tooltip("months_since_installation:O", title="Months since installation"),
                alt.Tooltip("rate:Q", title=title, format=".1%"),
                alt.Tooltip("numerator:Q", title=numerator, format=","),
                alt.Tooltip("denominator:Q", title=denominator, format=","),
                alt.Tooltip("cohort_size:Q", title="Cohort size", format=","),
            ],
        )
    )
    labels = (
        alt.Chart(frame)
        .mark_text(fontSize=8)
        .encode(
            x=x,
            y=y,
            text=alt.Text("rate:Q", format=".0%"),
            color=alt.condition(alt.datum.rate > 0.25, alt.value("white"), alt.value("black")),
        )
    )
    size_labels = (
        alt.Chart(sizes)
        .mark_text(fontSize=11, fontWeight="bold")
        .encode(
            x=x,
            y=y,
            text=alt.Text("cohort_size:Q", format=","),
            tooltip=[alt.Tooltip("cohort_size:Q", title="Cohort size", format=",")],
        )
    )
    chart = (cells + labels + size_labels).properties(height=alt.Step(20), width=alt.Step(30))
    show_chart(chart, key=f"{key}_chart")
    with st.expander("The matrix as a table"):
        matrix = frame.pivot(index="Cohort", columns="months_since_installation", values="rate")
        matrix.columns = [str(c) for c in matrix.columns]
        sizes_by_cohort = sizes.set_index("Cohort")["cohort_size"]
        matrix.insert(0, "Cohort size", sizes_by_cohort.reindex(matrix.index).astype("Int64"))
        matrix = matrix.reset_index()
        config = {
            str(c): st.column_config.NumberColumn(str(c), format="percent")
            for c in sorted(frame["months_since_installation"].unique())
        }
        config["Cohort size"] = st.column_config.NumberColumn("Cohort size", format="localized")
        show_table(matrix, column_config=config, key=f"{key}_table")


def cohorts_section(reader: Reader, end: dt.date, filters, defs: definitions.Definitions) -> None:
    st.subheader("Cohorts")
    ignored = [
        data.SLICER_BY_KEY[k].label
        for k, v in filters.items()
        if v and k not in data.COHORT_SLICERS
    ]
    st.caption(
        f"Cohort month (installation) x months since installation (0 = the installation month), "
        f"cells up to {month_label(end)}; the opco slicer applies, counts summed over the opcos "
        "before dividing."
        + (
            f" Not sliced by {', '.join(ignored)}: the cohort marts hold the opco only."
            if ignored
            else ""
        )
    )
    # one matrix drawn at a time (tabs would draw both heatmaps and both tables on every load)
    kind = st.selectbox("Cohort matrix", list(COHORTS), index=0, key="portfolio_cohort_matrix")
    mart, title, numerator, denominator, key = COHORTS[kind]
    st.caption(defs.model(mart))
    reads = data.default_cohorts if mart == "fct_portfolio_default_cohorts" else data.churn_cohorts
    frame = reads(reader, end, filters)
    if frame.empty:
        st.info("No cohort in this slice.")
    else:
        cohort_heatmap(frame, title, numerator, denominator, key)


# matrix -> (mart, rate, numerator, denominator, key of its chart and table)
COHORTS = {
    "Portfolio in Default (Cohorts)": (
        "fct_portfolio_default_cohorts",
        "% in default",
        "Defaulted",
        "Not churned",
        "portfolio_default_cohorts",
    ),
    "Churn cohorts": (
        "fct_portfolio_churn_cohorts",
        "% churned",
        "Churned",
        "Cohort size",
        "portfolio_churn_cohorts",
    ),
}


def notifications_section(
    reader: Reader, start: dt.date, end: dt.date, filters, defs: definitions.Definitions
) -> None:
    st.subheader("Notifications")
    ignored = [
        data.SLICER_BY_KEY[k].label
        for k, v in filters.items()
        if v and k not in data.NOTIFICATION_SLICERS
    ]
    st.caption(
        (defs.metric("portfolio_notifications") or defs.model("fct_portfolio_notifications"))
        + " By the month sent; sliced by the account's current opco, shop, CU type and subsidy."
        + (
            f" Not sliced by {', '.join(ignored)}: the notification mart does not hold them."
            if ignored
            else ""
        )
    )
    frame = data.notifications(reader, data.previous_month(start), end, filters)
    by_month = frame.groupby("sent_month")["notifications"].sum()
    kpi = data.Kpi("Notifications (count)", "portfolio_notifications", "notifications")
    current = by_month.get(end, 0)
    before = by_month.get(data.previous_month(end))
    left, right = st.columns([1, 4])
    left.caption(month_label(end))
    left.metric(
        "Notifications (count)",
        components.format_number(current),
        delta=format_delta(kpi, current, before),
        delta_color="off",
        help=defs.metric("portfolio_notifications") or None,
        border=True,
    )
    frame = frame[frame["sent_month"] >= start]
    if frame.empty:
        right.info("No notification sent in this slice and these months.")
        return
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(sent_month):O", title="Month sent", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("sum(notifications):Q", title="Notifications"),
            color=alt.Color("campaign_name:N", title="Campaign"),
            tooltip=[
                alt.Tooltip("yearmonth(sent_month):T", title="Month", format="%b %Y"),
                alt.Tooltip("campaign_name:N", title="Campaign"),
                alt.Tooltip("sum(notifications):Q", title="Notifications", format=","),
            ],
        )
        .properties(height=260)
    )
    with right:
        show_chart(chart, key="portfolio_notifications_chart")
    table = frame.pivot_table(
        index=["campaign_name", "notification_name"],
        columns="delivery_state",
        values="notifications",
        aggfunc="sum",
        fill_value=0,
    )
    table["Total"] = table.sum(axis=1)
    table = table.reset_index().rename(
        columns={"campaign_name": "Campaign", "notification_name": "Notification"}
    )
    table.columns.name = None
    st.markdown(
        f"**By campaign, notification and delivery state, "
        f"{month_label(start)} to {month_label(end)}**"
    )
    show_table(
        table,
        column_config={
            "Campaign": st.column_config.TextColumn(
                "Campaign", help=defs.column("fct_portfolio_notifications", "campaign_name") or None
            ),
            "Notification": st.column_config.TextColumn(
                "Notification",
                help=defs.column("fct_portfolio_notifications", "notification_name") or None,
            ),
            **{
                column: st.column_config.NumberColumn(column, format="localized")
                for column in table.columns[2:]
            },
        },
        key="portfolio_notifications_table",
    )


def definitions_section(defs: definitions.Definitions) -> None:
    if not defs.available:
        st.caption(
            "The definitions come from dbt's artifacts (target/manifest.json, "
            "target/semantic_manifest.json): run `make build` to show them."
        )
        return
    items = [(kpi.label, kpi_definition(defs, kpi)) for kpi in data.KPIS]
    items.append(("Notifications (count)", defs.metric("portfolio_notifications")))
    items.append(("Portfolio in Default (Cohorts)", defs.model("fct_portfolio_default_cohorts")))
    items.append(("Churn cohorts", defs.model("fct_portfolio_churn_cohorts")))
    components.definition_list(items, "Definitions of the KPIs (from the yml)")
    components.definition_list(
        [("Activity Month", defs.column(ACCOUNT_MODEL, "activity_month"))]
        + [(s.label, defs.column(ACCOUNT_MODEL, s.column)) for s in data.SLICERS]
        + [
            ("Portfolio Category", defs.column(ACCOUNT_MODEL, "portfolio_category")),
            ("Portfolio at Risk", defs.column(ACCOUNT_MODEL, "par_bucket")),
        ],
        "Definitions of the dimensions (from the yml)",
    )


SECTIONS = ("overview", "kpis", "categories", "par", "cohorts", "notifications")


def body(reader: Reader, section: str) -> None:
    """The filters (shared by every page of the report), then the page's section."""
    defs = definitions.load()
    start, end, filters = filters_section(reader, defs)
    kpis = data.kpis_by_month(reader, data.previous_month(start), end, filters)
    if kpis[kpis["activity_month"] >= start].empty:
        st.info("No account in this slice in these months: clear a filter or choose other values.")
        return
    as_of = st.session_state.get(f"{PAGE}_as_of_date")
    if as_of is not None and pd.Timestamp(end).to_period("M") == pd.Timestamp(as_of).to_period("M"):
        st.caption(
            f"{month_label(end)} is the as-of month: its figures are taken on the as-of day, "
            f"{components.format_date(as_of)}. The filters apply to every page of the report."
        )
    match section:
        case "overview":
            cards_section(kpis, end, defs)
            definitions_section(defs)
        case "kpis":
            kpi_table_section(kpis, start, defs)
        case "categories":
            categories_section(reader, start, end, filters, defs)
        case "par":
            par_section(reader, kpis, start, end, filters, defs)
        case "cohorts":
            cohorts_section(reader, end, filters, defs)
        case "notifications":
            notifications_section(reader, start, end, filters, defs)
        case _:
            raise ValueError(f"no section {section!r} in the portfolio report")


def page(section: str) -> None:
    """Draw one page of the report: `section` is the part of its url after 'portfolio_'."""
    url = PAGE if section == "overview" else f"{PAGE}_{section}"
    components.run_page(
        url,
        f"Portfolio report (002): {pages.PAGES[url].title}",
        "The pay-as-you-go portfolio at each month-end: categories, every KPI of the data "
        "dictionary, Portfolio at Risk, cohorts and notifications, from the portfolio marts.",
        lambda reader: body(reader, section),
    )
