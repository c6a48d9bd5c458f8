"""The block tables: each enrolment's sessions summed by week, census block and year, beside the marks.

Measures read the smallest summary that covers a period (``docs/design.md``); these say which periods a
grain covers exactly. The SQL that builds the blocks is the DuckDB store's
(:meth:`attendwise.store.duckdb_store.Store.refresh_blocks`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from attendwise.core.calendar import easter_sunday, spring_bank_holiday

__all__ = ["BlockGrain", "is_block_boundary", "is_census_boundary"]

#: What :meth:`Store.blocks_cover` checks a period against: session, census or year blocks.
BlockGrain = Literal["week", "census", "year"]


def is_block_boundary(day: dt.date) -> bool:
    """Whether a session block starts on ``day``: a Monday, or the start of a census term."""
    return (
        day.weekday() == 0
        or (day.month, day.day) in {(8, 1), (1, 1)}
        or (day == easter_sunday(day.year) + dt.timedelta(days=1))
    )


def is_census_boundary(day: dt.date) -> bool:
    """Whether a census block starts on ``day``: 1 August (autumn), 1 January (spring), Easter Monday
    (summer) or the spring bank holiday (the second half of summer, where the DfE's summer rules cut)."""
    return (
        (day.month, day.day) in {(8, 1), (1, 1)}
        or day == easter_sunday(day.year) + dt.timedelta(days=1)
        or day == spring_bank_holiday(day.year)
    )
