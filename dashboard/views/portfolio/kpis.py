"""Portfolio report (002): KPIs by month."""

from dashboard.reports import portfolio

portfolio.page("kpis")
