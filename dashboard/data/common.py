"""What every page shows on top: the build's as-of date and the latest loads of its sources."""

from __future__ import annotations

import pandas as pd

from dashboard.data import Reader, require_rows


def as_of(reader: Reader) -> pd.Series:
    """The one row of util_as_of_date: as_of_date, as_of_origin, latest_load_date."""
    frame = reader.query(
        "select as_of_date, as_of_origin, latest_load_date from utilities.util_as_of_date"
    )
    return require_rows(frame, "utilities.util_as_of_date").iloc[0]


def source_loads(reader: Reader) -> pd.DataFrame:
    """Latest load time and row count of every raw table that has a load time."""
    return reader.query(
        """
        select source_dataset, source_table, load_time_column, source_rows, latest_loaded_at
        from utilities.util_source_loads
        order by source_dataset, source_table
        """
    )
