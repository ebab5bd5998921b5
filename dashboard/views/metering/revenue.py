"""Smart metering dashboard (001): Revenue."""

from dashboard.reports import metering

metering.page("revenue")
