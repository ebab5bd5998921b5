"""Smart metering dashboard (001): Consumption."""

from dashboard.reports import metering

metering.page("consumption")
