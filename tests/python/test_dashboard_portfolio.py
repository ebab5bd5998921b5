"""The portfolio page (002) shows what the portfolio marts and the MetricFlow metrics say.

The page runs in Streamlit's AppTest on the warehouse the tests read (conftest's
`warehouse_path()`). Every expected figure is computed here, with SQL written independently of
the page's data module, straight on the marts (numerators and denominators summed over the slice,
then divided), or with MetricFlow (`mf query --explain` in a scratch root of the project whose
`target` is the build's, so the SQL names the build's catalog, run on a read-only connection).

`expected_cards(con, opco=None, **slicers)` gives, for the page's default filters (the last twelve
months; nothing selected in the slicers but those passed), each card's label -> the exact text the
page shows; the browser test imports it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import ROOT, MetricFlow, dbt_target_path, warehouse_path
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from dashboard import data as dashboard_data
from dashboard import pages
from dashboard.components import format_number, format_pct

APP = ROOT / "dashboard" / "app.py"
REPORT = "portfolio"
MONTHLY = "marts.fct_portfolio_monthly"
ACCOUNT_MONTHLY = "marts.fct_portfolio_account_monthly"

# The slicers of 002 (items 30-36): the page's widget key suffix -> the marts' column.
SLICERS = {
    "opco": "opco",
    "shop": "shop",
    "cu_type": "cu_type",
    "subsidy": "subsidy",
    "tv_customer": "tv_customer",
    "esf_only": "esf_only_customer",
    "enable_status": "enable_status",
    "arpu_range": "arpu_range",
}
NOTIFICATION_SLICERS = ("opco", "shop", "cu_type", "subsidy")

# Every KPI of 002 (items 1-24) the page tabulates: label -> (numerator, denominator), written
# from the dictionary's wording over fct_portfolio_monthly's additive columns.
KPI_SQL: dict[str, tuple[str, str | None]] = {
    "All Accounts": ("sum(all_accounts)", None),
    "Contracted Portfolio Size": ("sum(contracted_portfolio_size)", None),
    "Churned Portfolio Size": ("sum(churned_portfolio_size)", None),
    "Paid Portfolio Size": ("sum(paid_portfolio_size)", None),
    "Active Portfolio Size": ("sum(active_portfolio_size)", None),
    "Defaulters": ("sum(defaulters)", None),
    "% Portfolio in Default": ("sum(defaulters)", "sum(contracted_portfolio_size)"),
    "Delta in Defaulters": ("sum(delta_in_defaulters)", None),
    "Repo (count)": ("sum(repossessions)", None),
    "Write Off (count)": ("sum(write_offs)", None),
    "Default Rate": (
        "sum(delta_in_defaulters) + sum(repossessions) + sum(write_offs)",
        "sum(active_portfolio_previous_month_end)",
    ),
    "Churn Rate": (
        "sum(repossessions) + sum(write_offs)",
        "sum(contracted_portfolio_previous_month_end)",
    ),
    "Churn Rate (90 days)": ("sum(churns_last_90_days)", "sum(contracted_portfolio_90_days_ago)"),
    "Write Off Rate": ("sum(write_offs)", "sum(contracted_portfolio_previous_month_end)"),
    "Repo Rate": ("sum(repossessions)", "sum(contracted_portfolio_previous_month_end)"),
    "Completions (count)": ("sum(completions)", None),
    "Opt Outs (count)": ("sum(opt_outs)", None),
    "Uncompletions (count)": ("sum(uncompletions)", None),
    "Completion Rate": ("sum(completions)", "sum(contracted_portfolio_previous_month_end)"),
    "Opt Out Rate": ("sum(opt_outs)", "sum(contracted_portfolio_previous_month_end)"),
    "Uncompletions Rate": ("sum(uncompletions)", "sum(contracted_portfolio_previous_month_end)"),
    "Net Completions (count)": ("sum(completions) + sum(opt_outs) - sum(uncompletions)", None),
    "Net Completion Rate": (
        "sum(completions) + sum(opt_outs) - sum(uncompletions)",
        "sum(contracted_portfolio_previous_month_end)",
    ),
    "Net Completion Rate (30 days)": (
        "sum(net_completions_last_30_days)",
        "sum(contracted_portfolio_30_days_ago)",
    ),
    "% DP only Defaulters": ("sum(dp_only_defaulters)", "sum(defaulters)"),
    "PAR-30 Rate (count)": ("sum(par_30_accounts)", "sum(contracted_portfolio_size)"),
    "PAR-60 Rate (count)": ("sum(par_60_accounts)", "sum(contracted_portfolio_size)"),
    "PAR-90 Rate (count)": ("sum(par_90_accounts)", "sum(contracted_portfolio_size)"),
    "PAR-120 Rate (count)": ("sum(par_120_accounts)", "sum(contracted_portfolio_size)"),
    "PAR-30 Rate (balance)": ("sum(par_30_balance)", "sum(outstanding_balance)"),
    "PAR-60 Rate (balance)": ("sum(par_60_balance)", "sum(outstanding_balance)"),
    "PAR-90 Rate (balance)": ("sum(par_90_balance)", "sum(outstanding_balance)"),
    "PAR-120 Rate (balance)": ("sum(par_120_balance)", "sum(outstanding_balance)"),
    "Outstanding balance": ("sum(outstanding_balance)", None),
    "Collection rate": ("sum(amount_paid)", "sum(amount_due)"),
}
# The overview cards: label -> decimals shown (a ratio shown as a percentage, else a count).
CARDS = {
    "All Accounts": 0,
    "Contracted Portfolio Size": 0,
    "Active Portfolio Size": 0,
    "Defaulters": 0,
    "% Portfolio in Default": 1,
    "Default Rate": 2,
    "Churn Rate": 2,
    "Churn Rate (90 days)": 2,
    "Net Completion Rate": 2,
    "Net Completion Rate (30 days)": 2,
    "PAR-30 Rate (count)": 1,
    "Collection rate": 1,
}
NOTIFICATIONS_CARD = "Notifications (count)"
# page (url) -> the cards it shows: every card of expected_cards on exactly one page
PAGE_CARDS = {
    "portfolio": list(CARDS),
    "portfolio_kpis": [],
    "portfolio_categories": [],
    "portfolio_par": [],
    "portfolio_cohorts": [],
    "portfolio_notifications": [NOTIFICATIONS_CARD],
}
KPI_TABLES = (
    "portfolio_kpis_size",
    "portfolio_kpis_default_churn",
    "portfolio_kpis_completions",
    "portfolio_kpis_par",
)


def built() -> Path:
    path = warehouse_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"warehouse {path} not built: run `make dbt-ci` first")
        pytest.skip(f"warehouse {path} not built: run `make dbt-ci` first")
    return path


# --- independent expectations -------------------------------------------------------------------


def as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def slice_where(slicers: dict, allowed=tuple(SLICERS)) -> tuple[str, list]:
    clauses, params = [], []
    for key, value in slicers.items():
        values = as_list(value)
        if values and key in allowed:
            clauses.append(f"list_contains(?, {SLICERS[key]})")
            params.append(values)
    return "".join(f" and {c}" for c in clauses), params


def last_months(con, count: int = 12) -> list[dt.date]:
    months = [
        row[0]
        for row in con.execute(
            f"select distinct activity_month from {MONTHLY} order by activity_month"
        ).fetchall()
    ]
    return months[-count:]


def previous(month: dt.date) -> dt.date:
    return (pd.Timestamp(month) - pd.DateOffset(months=1)).date()


def kpi_values(con, months: list[dt.date], slicers: dict) -> pd.DataFrame:
    """Every KPI of KPI_SQL per month (rows) over the slice: sums first, then the ratio."""
    where, params = slice_where(slicers)
    selects = ",\n".join(
        f'cast({num} as double) / nullif(cast({den} as double), 0) as "{label}"'
        if den
        else f'cast({num} as double) as "{label}"'
        for label, (num, den) in KPI_SQL.items()
    )
    frame = con.execute(
        f"""
        select activity_month, {selects}
        from {MONTHLY}
        where list_contains(?, activity_month){where}
        group by activity_month
        order by activity_month
        """,
        [months, *params],
    ).df()
    frame["activity_month"] = pd.to_datetime(frame["activity_month"]).dt.date
    return frame.set_index("activity_month")


def notifications_count(con, month: dt.date, slicers: dict) -> int:
    where, params = slice_where(slicers, NOTIFICATION_SLICERS)
    return con.execute(
        f"select count(*) from marts.fct_portfolio_notifications where sent_month = ?{where}",
        [month, *params],
    ).fetchone()[0]


def card_text(label: str, value) -> str:
    decimals = CARDS[label]
    if KPI_SQL[label][1] is None:
        return format_number(value, decimals)
    return format_pct(None if pd.isna(value) else value, decimals)


def delta_text(label: str, value, before) -> str:
    if pd.isna(value) or pd.isna(before):
        return ""
    change = float(value) - float(before)
    if KPI_SQL[label][1] is None:
        return f"{change:+,.0f}"
    return f"{change * 100:+.{CARDS[label]}f} pp"


def expected_cards(con, opco=None, end: dt.date | None = None, **slicers) -> dict[str, str]:
    """Card label -> the text the report's pages show for `end` (the last month of the range; by
    default the last month of the mart), with the opco (and any other slicer: key as the page's
    widget key suffix) set to a value or a list."""
    slicers = {"opco": opco, **slicers}
    end = end or last_months(con, 1)[-1]
    values = kpi_values(con, [end], slicers)
    row = values.loc[end] if end in values.index else pd.Series(dtype="float64")
    cards = {label: card_text(label, row.get(label)) for label in CARDS}
    cards[NOTIFICATIONS_CARD] = format_number(notifications_count(con, end, slicers))
    return cards


def expected_deltas(con, end: dt.date | None = None, **slicers) -> dict[str, str]:
    end = end or last_months(con, 1)[-1]
    values = kpi_values(con, [previous(end), end], slicers)
    deltas = {
        label: delta_text(label, values.loc[end, label], values.loc[previous(end), label])
        for label in CARDS
    }
    now, before = (notifications_count(con, m, slicers) for m in (end, previous(end)))
    deltas[NOTIFICATIONS_CARD] = f"{now - before:+,.0f}"
    return deltas


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_env() -> Iterator[None]:
    """The dashboard's settings pointing at the warehouse the tests read, for the module."""
    path = built()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DASHBOARD_TARGET", "dev")
        patch.setenv("DASHBOARD_DUCKDB_PATH", str(path))
        patch.setenv("DASHBOARD_DBT_TARGET_PATH", str(dbt_target_path()))
        yield


@pytest.fixture()
def con():
    connection = duckdb.connect(str(built()), read_only=True)
    yield connection
    connection.close()


def open_page(page: str = REPORT) -> AppTest:
    """A page of the report (the overview by default) in a new session."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()  # the home page: st.navigation registers the pages' url paths
    return switch(at, page)


def switch(at: AppTest, page: str) -> AppTest:
    """Go to another page of the app, as the navigation does (the filters stay)."""
    return at.switch_page(pages.PAGES[page].file).run()


def page_cards(cards: dict[str, str], page: str) -> dict[str, str]:
    return {label: cards[label] for label in PAGE_CARDS[page]}


def every_page(at: AppTest) -> dict[str, dict[str, str]]:
    """Visit each page of the report in turn: page -> its cards (no error on any)."""
    shown = {}
    for page in PAGE_CARDS:
        switch(at, page)
        assert_clean(at)
        shown[page] = cards(at)
    return shown


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at: AppTest, key: str) -> pd.DataFrame:
    return at.container(key=key).dataframe[0].value


def chart_datasets(at: AppTest, key: str) -> list[pd.DataFrame]:
    element = next(iter(at.container(key=key).children.values()))
    return [
        dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in element.proto.datasets
    ]


@pytest.fixture(scope="module")
def default_page(page_env) -> AppTest:
    at = open_page()
    assert_clean(at)
    return at


def test_default_page_cards_equal_the_marts(default_page, con):
    assert sorted(PAGE_CARDS) == sorted(p.url for p in pages.of_report(REPORT))
    expected, expected_delta = expected_cards(con), expected_deltas(con)
    deltas = {}
    for page in PAGE_CARDS:
        switch(default_page, page)
        assert_clean(default_page)
        assert cards(default_page) == page_cards(expected, page), page
        deltas |= {m.label: m.proto.delta for m in default_page.metric}
    assert deltas == expected_delta


def test_every_kpi_by_month_equals_the_mart(default_page, con):
    switch(default_page, "portfolio_kpis")
    months = last_months(con)
    expected = kpi_values(con, months, {})
    seen = set()
    for key in KPI_TABLES:
        frame = table(default_page, key)
        assert [pd.Timestamp(m).date() for m in frame["Month"]] == months, key
        for label in frame.columns.drop("Month"):
            seen.add(label)
            for month, value in zip(months, frame[label], strict=True):
                want = expected.loc[month, label]
                if pd.isna(want):
                    assert pd.isna(value), (label, month)
                else:
                    assert value == pytest.approx(want, rel=1e-9, abs=1e-9), (label, month)
    assert seen == set(KPI_SQL), "every KPI of 002, items 1-24, is tabulated"


@pytest.mark.parametrize("slicer", list(SLICERS))
def test_each_slicer_set_to_one_value(page_env, con, slicer):
    value = con.execute(f"select min({SLICERS[slicer]}) from {MONTHLY}").fetchone()[0]
    at = open_page()
    at.multiselect(key=f"portfolio_{slicer}").set_value([value]).run()
    assert_clean(at)
    expected_all = expected_cards(con, **{slicer: value})
    for page, shown in every_page(at).items():
        assert shown == page_cards(expected_all, page), page
    months = last_months(con)
    expected = kpi_values(con, months, {slicer: value})
    # set on the overview, the slicer applies on the KPI page
    switch(at, "portfolio_kpis")
    assert at.multiselect(key=f"portfolio_{slicer}").value == [value]
    frame = table(at, "portfolio_kpis_size")
    shown = dict(
        zip(
            frame["Month"].map(lambda m: pd.Timestamp(m).date()),
            frame["All Accounts"],
            strict=True,
        )
    )
    assert shown == {m: expected.loc[m, "All Accounts"] for m in expected.index}


def test_two_slicers_and_a_month_range(page_env, con):
    months = last_months(con, 30)
    start, end = months[-9], months[-4]
    at = open_page()
    at.select_slider(key="portfolio_months").set_range(start, end)
    at.multiselect(key="portfolio_opco").set_value(["Kenya", "Uganda"])
    at.multiselect(key="portfolio_tv_customer").set_value(["No TV"])
    at.run()
    assert_clean(at)
    slicers = {"opco": ["Kenya", "Uganda"], "tv_customer": "No TV"}
    expected = kpi_values(con, [end], slicers)
    shown = cards(at)
    assert shown["Contracted Portfolio Size"] == format_number(
        expected.loc[end, "Contracted Portfolio Size"]
    )
    assert shown["Default Rate"] == format_pct(expected.loc[end, "Default Rate"], 2)
    # every card of the report for the range's last month (not the mart's)
    expected_all = expected_cards(con, end=end, **slicers)
    for page, page_shown in every_page(at).items():
        assert page_shown == page_cards(expected_all, page), page
    frame = table(switch(at, "portfolio_kpis"), "portfolio_kpis_default_churn")
    assert len(frame) == months.index(end) - months.index(start) + 1


def test_a_slice_without_accounts_says_so(page_env, con):
    kenya, other = con.execute(
        f"""
        select
            min(case when opco = 'Kenya' then shop end),
            min(case when opco <> 'Kenya' then opco end)
        from {MONTHLY}
        """
    ).fetchone()
    at = open_page()
    at.multiselect(key="portfolio_opco").set_value([other])
    at.multiselect(key="portfolio_shop").set_value([kenya])
    at.run()
    assert_clean(at)
    assert not at.metric
    assert any("No account in this slice" in i.value for i in at.info)


# --- MetricFlow ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def metricflow(tmp_path_factory) -> Callable[[list[str], list[str]], str]:
    """`mf query --explain` (conftest.MetricFlow): the SQL, run by the caller on the read-only
    warehouse."""
    built()
    return MetricFlow(tmp_path_factory.mktemp("portfolio_mf")).explain


def test_default_rate_by_opco_equals_metricflow(page_env, con, metricflow):
    """The last month's Default Rate with the opco slicer on one opco is MetricFlow's
    `portfolio_default_rate` for that opco and month (October 2026 on the seed data)."""
    sql = metricflow(["portfolio_default_rate"], ["metric_time__month", "account_month__opco"])
    metrics = con.sql(sql).df()
    end = last_months(con, 1)[-1]
    metrics = metrics[pd.to_datetime(metrics["metric_time__month"]).dt.date == end]
    opcos = sorted(metrics["account_month__opco"])
    assert len(opcos) >= 2
    at = open_page()
    for opco in opcos:
        metric = metrics.loc[metrics["account_month__opco"] == opco, "portfolio_default_rate"]
        value = float(metric.iloc[0])
        switch(at, REPORT).multiselect(key="portfolio_opco").set_value([opco]).run()
        assert_clean(at)
        assert cards(at)["Default Rate"] == format_pct(value, 2), opco
        frame = table(switch(at, "portfolio_kpis"), "portfolio_kpis_default_churn")
        last = frame[frame["Month"].map(lambda m: pd.Timestamp(m).date()) == end]
        assert last["Default Rate"].iloc[0] == pytest.approx(value, rel=1e-12), opco


def test_known_figures_of_october_2026(page_env, con):
    """The figures the report's owners know for the seed data (as of 2026-10-31)."""
    if last_months(con, 1)[-1] != dt.date(2026, 10, 1):
        pytest.skip("the warehouse is not the seed build (its last month is not October 2026)")
    at = open_page()
    shown = cards(at)
    assert shown["All Accounts"] == "1,072"
    assert shown["Contracted Portfolio Size"] == "691"
    assert shown["Active Portfolio Size"] == "664"
    assert shown["Defaulters"] == "27"
    assert shown["% Portfolio in Default"] == "3.9%"
    assert shown["Default Rate"] == "1.06%"
    assert shown["PAR-30 Rate (count)"] == "4.2%"
    assert shown["Collection rate"] == "88.4%"
    at.multiselect(key="portfolio_opco").set_value(["Kenya"]).run()
    shown = cards(at)
    assert shown["Contracted Portfolio Size"] == "194"
    assert shown["Default Rate"] == "1.59%"


# --- categories, PAR, cohorts, notifications -----------------------------------------------------

LEVEL_COLUMNS = {
    "Level 1": "portfolio_level_1",
    "Level 2": "portfolio_level_2",
    "Level 3": "portfolio_level_3",
    "Category": "portfolio_category",
}


@pytest.mark.parametrize("level", list(LEVEL_COLUMNS))
def test_categories_at_each_level_equal_the_account_months(page_env, con, level):
    at = open_page("portfolio_categories")
    at.selectbox(key="portfolio_level").select(level).run()
    assert_clean(at)
    frame = table(at, "portfolio_categories_table")
    months = last_months(con)
    column = LEVEL_COLUMNS[level]
    counts = con.execute(
        f"""
        select activity_month, {column}, count(*)
        from {ACCOUNT_MONTHLY}
        where list_contains(?, activity_month) and is_installed = 1
        group by all
        """,
        [months],
    ).fetchall()
    expected = {(m, c): n for m, c, n in counts}
    shown = {
        (pd.Timestamp(row["Month"]).date(), category): row[category]
        for _, row in frame.iterrows()
        for category in frame.columns.drop("Month")
        if row[category]
    }
    assert shown == expected
    # every installed account in exactly one category: the level sums to All Accounts
    end = months[-1]
    total = frame[frame["Month"].map(lambda m: pd.Timestamp(m).date()) == end]
    switch(at, REPORT)
    assert total.drop(columns="Month").sum(axis=1).iloc[0] == int(
        cards(at)["All Accounts"].replace(",", "")
    )
    if level == "Level 1":
        assert total["Contracted Portfolio"].iloc[0] == int(
            cards(at)["Contracted Portfolio Size"].replace(",", "")
        )


def test_par_buckets_equal_the_account_months(default_page, con):
    end = last_months(con, 1)[-1]
    rows = con.execute(
        f"""
        select par_bucket, count(*), sum(outstanding_balance)
        from {ACCOUNT_MONTHLY}
        where activity_month = ? and portfolio_level_1 = 'Contracted Portfolio'
        group by par_bucket
        """,
        [end],
    ).fetchall()
    frame = table(switch(default_page, "portfolio_par"), "portfolio_par_buckets")
    shown = {
        r["par_bucket"]: (r["accounts"], r["outstanding_balance"]) for _, r in frame.iterrows()
    }
    assert shown.keys() == {r[0] for r in rows}
    for bucket, accounts, balance in rows:
        assert shown[bucket][0] == accounts
        assert shown[bucket][1] == pytest.approx(float(balance))
    assert frame["share_of_accounts"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("opco", [None, "Kenya"])
def test_cohort_heatmap_cells_equal_the_marts(page_env, con, opco):
    at = open_page("portfolio_cohorts")
    if opco:
        at.multiselect(key="portfolio_opco").set_value([opco]).run()
    assert_clean(at)
    for matrix, mart, key, numerator, denominator in (
        (
            "Portfolio in Default (Cohorts)",
            "fct_portfolio_default_cohorts",
            "portfolio_default_cohorts",
            "defaulted_accounts",
            "accounts_not_churned",
        ),
        (
            "Churn cohorts",
            "fct_portfolio_churn_cohorts",
            "portfolio_churn_cohorts",
            "churned_accounts",
            None,
        ),
    ):
        at.selectbox(key="portfolio_cohort_matrix").select(matrix).run()
        assert_clean(at)
        # one matrix drawn at a time
        assert len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart")) == 1
        where = "where opco = ?" if opco else ""
        cells = con.execute(
            f"""
            select strftime(cohort_month, '%Y-%m'), months_since_installation,
                sum(cohort_size), sum({numerator}), sum({denominator or "cohort_size"})
            from marts.{mart} {where}
            group by all
            having sum({numerator}) > 0
            order by 1, 2
            """,
            [opco] if opco else [],
        ).fetchall()
        assert cells, mart
        cohort, months_since, size, top, bottom = cells[len(cells) // 2]
        matrix = table(at, f"{key}_table").set_index("Cohort")
        assert matrix.loc[cohort, str(months_since)] == pytest.approx(top / bottom)
        assert matrix.loc[cohort, "Cohort size"] == size
        heatmap = next(d for d in chart_datasets(at, f"{key}_chart") if "rate" in d.columns)
        cell = heatmap[
            (heatmap["Cohort"] == cohort) & (heatmap["months_since_installation"] == months_since)
        ]
        assert cell["rate"].iloc[0] == pytest.approx(top / bottom)
        if opco:  # one opco: the mart's own row
            column = "portfolio_in_default_pct" if denominator else "churned_pct"
            row = con.execute(
                f"""select {column} from marts.{mart}
                where opco = ? and strftime(cohort_month, '%Y-%m') = ?
                and months_since_installation = ?""",
                [opco, cohort, months_since],
            ).fetchone()
            assert matrix.loc[cohort, str(months_since)] == pytest.approx(row[0])


def test_notifications_equal_the_mart(page_env, con):
    at = open_page("portfolio_notifications")
    at.multiselect(key="portfolio_opco").set_value(["Kenya"]).run()
    assert_clean(at)
    months = last_months(con)
    rows = con.execute(
        """
        select campaign_name, notification_name, count(*)
        from marts.fct_portfolio_notifications
        where list_contains(?, sent_month) and opco = 'Kenya'
        group by all
        """,
        [months],
    ).fetchall()
    frame = table(at, "portfolio_notifications_table")
    shown = {(r["Campaign"], r["Notification"]): r["Total"] for _, r in frame.iterrows()}
    assert shown == {(c, n): count for c, n, count in rows}
    assert cards(at)[NOTIFICATIONS_CARD] == expected_cards(con, opco="Kenya")[NOTIFICATIONS_CARD]


# --- definitions, personal data, messages ---------------------------------------------------------


def test_labels_and_definitions_come_from_the_yml(default_page):
    from dashboard.data.portfolio import KPIS

    semantic = json.loads((dbt_target_path() / "semantic_manifest.json").read_text())
    metrics = {m["name"]: m for m in semantic["metrics"]}
    for kpi in KPIS:
        assert metrics[kpi.metric]["label"] == kpi.label, kpi.metric
    helps = {m.label: m.help for m in switch(default_page, REPORT).metric}
    by_label = {kpi.label: kpi.metric for kpi in KPIS}
    for label in CARDS:
        assert helps[label] == metrics[by_label[label]]["description"].strip(), label


def pii_columns() -> set[str]:
    manifest = json.loads((dbt_target_path() / "manifest.json").read_text())
    names = {"account_id", "customer_id"}  # no account-level row on the page either
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        for name, column in node.get("columns", {}).items():
            tags = set(column.get("tags") or []) | set(column.get("config", {}).get("tags") or [])
            if "pii" in tags:
                names.add(name)
    return names


def test_no_personal_data_on_the_page(page_env, monkeypatch):
    queries: list[str] = []
    original = dashboard_data.DuckDBReader.query

    def recording(self, sql, params=None):
        queries.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(dashboard_data.DuckDBReader, "query", recording)
    at = open_page()
    forbidden = pii_columns()
    assert {"customer_name", "sign_up_sales_agent", "install_technician"} <= forbidden
    for page in PAGE_CARDS:
        switch(at, page)
        assert_clean(at)
        for frame in at.dataframe:
            assert not forbidden & set(map(str, frame.value.columns)), (page, frame.value.columns)
        for element in at.get("vega_lite_chart"):
            for field in forbidden:
                assert f'"{field}"' not in element.proto.spec, (page, field)
            for dataset in element.proto.datasets:
                frame = dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data)
                assert not forbidden & set(map(str, frame.columns)), page
    assert queries
    for sql in queries:
        assert "restricted" not in sql and "customer_lookup" not in sql, sql
        assert "dim_portfolio_accounts" not in sql, sql


def test_every_query_of_the_page_is_bigquery_sql(page_env, monkeypatch):
    """The page's SQL, as the BigQuery reader would send it (relations qualified, list parameters
    expanded), passes the project's BigQuery strictness check (energy_dw.bigquery.strictness)."""
    from energy_dw.bigquery import strictness

    queries: list[tuple[str, dict]] = []
    original = dashboard_data.DuckDBReader.query

    def recording(self, sql, params=None):
        queries.append((sql, dict(params or {})))
        return original(self, sql, params)

    monkeypatch.setattr(dashboard_data.DuckDBReader, "query", recording)
    at = open_page()
    at.multiselect(key="portfolio_opco").set_value(["Kenya", "Uganda"])
    at.multiselect(key="portfolio_arpu_range").set_value(["No payment"])
    at.run()
    assert_clean(at)
    every_page(at)
    page_queries = [(sql, params) for sql, params in queries if "portfolio" in sql]
    assert len(page_queries) >= 8
    for sql, params in page_queries:
        qualified = dashboard_data.RELATION.sub(
            lambda m: f"`project.analytics_{m.group(1)}.{m.group(2)}`", sql
        )
        text, _ = dashboard_data.expand_parameters(qualified, params)
        offences = strictness.check_sql(text, "portfolio page")
        assert not offences, (text, offences)


def test_empty_mart_shows_one_clear_message(page_env, tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    with duckdb.connect(str(path)) as empty:
        empty.execute(f"attach '{built()}' as built (read_only)")
        for schema in ("marts", "utilities"):
            empty.execute(f"create schema {schema}")
        for (name,) in empty.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'built' and table_schema = 'utilities'"
        ).fetchall():
            empty.execute(f"create table utilities.{name} as select * from built.utilities.{name}")
        for (name,) in empty.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'built' and table_schema = 'marts' "
            "and table_name like '%portfolio%'"
        ).fetchall():
            empty.execute(f"create table marts.{name} as select * from built.marts.{name} limit 0")
    monkeypatch.setenv("DASHBOARD_DUCKDB_PATH", str(path))
    at = open_page()
    assert not at.exception
    assert len(at.error) == 1
    assert "fct_portfolio_monthly" in at.error[0].value and "empty" in at.error[0].value
    assert "make build" in at.info[0].value
    assert not at.metric


def test_no_warehouse_shows_one_clear_message(page_env, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DUCKDB_PATH", str(tmp_path / "missing.duckdb"))
    at = open_page()
    assert not at.exception
    assert len(at.error) == 1
    assert "No warehouse has been built yet" in at.error[0].value
    assert "make build" in at.info[0].value
    assert not at.metric


def test_bigquery_without_a_project_shows_one_clear_message(page_env, monkeypatch):
    monkeypatch.setenv("DASHBOARD_TARGET", "prod")
    monkeypatch.delenv("DBT_BQ_PROJECT", raising=False)
    at = open_page()
    assert not at.exception
    assert len(at.error) == 1
    assert "DBT_BQ_PROJECT" in at.error[0].value
    assert not at.metric
