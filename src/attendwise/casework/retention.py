"""The retention rule: a closed case is kept for a number of years after it closed, then removed.

Nothing else ever removes a case or any of its events (they are append-only); this is the one documented
exception, and its removals are recorded by whoever applies it (the case store keeps a record of each run).
The period is the ``closed_case_retention_years`` setting (:data:`attendwise.casework.settings.SETTINGS`).

Examples:
    >>> from attendwise.casework.settings import CaseworkSettings
    >>> retention_cutoff(dt.date(2031, 3, 1), CaseworkSettings())
    datetime.date(2025, 3, 1)
    >>> due_for_removal(dt.date(2025, 2, 28), dt.date(2031, 3, 1), CaseworkSettings())
    True
    >>> due_for_removal(dt.date(2025, 3, 1), dt.date(2031, 3, 1), CaseworkSettings())  # kept to the day
    False
    >>> retention_cutoff(dt.date(2032, 2, 29), CaseworkSettings(closed_case_retention_years=1))
    datetime.date(2031, 2, 28)
"""

from __future__ import annotations

import datetime as dt

from attendwise.casework.settings import CaseworkSettings

__all__ = ["due_for_removal", "retention_cutoff", "rule_in_words"]


def retention_cutoff(as_at: dt.date, settings: CaseworkSettings) -> dt.date:
    """The day ``closed_case_retention_years`` before ``as_at`` (29 February becomes 28 February): cases closed
    before it are due for removal."""
    year = as_at.year - settings.closed_case_retention_years
    try:
        return as_at.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return dt.date(year, 2, 28)


def due_for_removal(closed_on: dt.date | None, as_at: dt.date, settings: CaseworkSettings) -> bool:
    """Whether a case that closed on ``closed_on`` (``None``: still open, never removed) is past its keeping."""
    return closed_on is not None and closed_on < retention_cutoff(as_at, settings)


def rule_in_words(settings: CaseworkSettings) -> str:
    years = settings.closed_case_retention_years
    return f"closed cases are kept {years} year{'s' if years != 1 else ''} after they close"
