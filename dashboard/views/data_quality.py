"""Placeholder: being written."""

from dashboard import components


def body(reader):
    pass


components.run_page("data_quality", "data_quality", "placeholder", body)
