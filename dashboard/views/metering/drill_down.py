"""Smart metering dashboard (001): Drill-down."""

from dashboard.reports import metering

metering.page("drill_down")
