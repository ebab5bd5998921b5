"""Portfolio report (002): Notifications."""

from dashboard.reports import portfolio

portfolio.page("notifications")
