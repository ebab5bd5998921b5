"""Portfolio report (002): Portfolio at Risk."""

from dashboard.reports import portfolio

portfolio.page("par")
