"""Smart metering dashboard (001): Overview."""

from dashboard.reports import metering

metering.page("overview")
