"""Smart metering dashboard (001): Meter performance."""

from dashboard.reports import metering

metering.page("meters")
