"""Portfolio report (002): Categories."""

from dashboard.reports import portfolio

portfolio.page("categories")
