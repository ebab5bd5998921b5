"""Portfolio report (002): Cohorts."""

from dashboard.reports import portfolio

portfolio.page("cohorts")
