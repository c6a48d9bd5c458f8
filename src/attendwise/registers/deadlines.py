"""A deadline counted in school days, and where it stands on a day (what the registers' pages list as due)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["Deadline"]


@dataclass(frozen=True)
class Deadline:
    """Something that must happen by a day: the LA's sixth-day provision, the board's meeting, an escalation."""

    what: str
    due: dt.date
    #: The day it was done, if it has been.
    met_on: dt.date | None = None

    def state(self, today: dt.date) -> str:
        """``met``, ``late`` (met after the day), ``overdue`` (not met and the day has passed) or ``due``.

        >>> d = Deadline("board meeting", dt.date(2026, 3, 13))
        >>> d.state(dt.date(2026, 3, 12)), d.state(dt.date(2026, 3, 16))
        ('due', 'overdue')
        """
        if self.met_on is not None:
            return "met" if self.met_on <= self.due else "late"
        return "overdue" if today > self.due else "due"

    def describe(self, today: dt.date) -> str:
        return f"{self.what}: {self.state(today)} ({self.due:%a %d %b %Y})"
