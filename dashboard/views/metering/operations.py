"""Smart metering dashboard (001): Operations."""

from dashboard.reports import metering

metering.page("operations")
