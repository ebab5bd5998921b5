"""Placeholder: being written."""

from dashboard import components


def body(reader):
    pass


components.run_page("portfolio", "portfolio", "placeholder", body)
