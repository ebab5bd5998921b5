"""Operations report (000): Meter reading."""

from dashboard.reports import operations

operations.page("meter_reading")
