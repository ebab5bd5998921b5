"""Operations report (000): Billing."""

from dashboard.reports import operations

operations.page("billing")
