"""Portfolio report (002): Overview."""

from dashboard.reports import portfolio

portfolio.page("overview")
