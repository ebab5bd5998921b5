"""Operations report (000): Digital journeys."""

from dashboard.reports import operations

operations.page("digital")
