"""Operations report (000): Smart metering."""

from dashboard.reports import operations

operations.page("smart_metering")
