"""Smart metering dashboard (001): Customers."""

from dashboard.reports import metering

metering.page("customers")
