"""School days: the calendar every register deadline is counted in.

A **school day** is a weekday inside one of the LA's half terms (``terms.csv``) that is not a closure day
for the school (``closures.csv``: INSET, bank holidays, planned closures; a half-day closure leaves the day
a school day). Whether closure days count is the setting ``closure_days_are_school_days`` (the reference
leaves the exclusion regulations' own definition UNCONFIRMED). Deadlines here are never in calendar days:
the sixth-day provision, the governing board's 15 school days and the CME escalation all skip half terms
and holidays, so they are counted on a :class:`SchoolCalendar`.

Two ways of counting, each named for the rule that uses it:

* :meth:`SchoolCalendar.day_number` / :meth:`SchoolCalendar.nth_day`: the start is **day 1** when it is a
  school day (the sixth day of an exclusion, the 10th day whereabouts are unknown, the 20th day of absence);
* :meth:`SchoolCalendar.after`: the **nth school day after** a date (the board meets by the 15th school day
  after the head's notice).

Examples:
    >>> import datetime as dt
    >>> spring = SchoolCalendar.of([(dt.date(2026, 1, 5), dt.date(2026, 2, 13)), (dt.date(2026, 2, 23),
    ...                             dt.date(2026, 3, 27))])
    >>> spring.nth_day(dt.date(2026, 2, 13), 6)   # day 1 Fri 13 Feb; the half term is skipped
    datetime.date(2026, 2, 27)
    >>> spring.after(dt.date(2026, 2, 13), 15)
    datetime.date(2026, 3, 13)
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendwise.core.errors import AttendwiseError

if TYPE_CHECKING:
    from attendwise.store import Store

__all__ = ["NoCalendarError", "SchoolCalendar"]

_ONE = dt.timedelta(days=1)


class NoCalendarError(AttendwiseError):
    """A deadline that runs past the last half term held: the LA's next terms.csv is needed."""


@dataclass(frozen=True)
class SchoolCalendar:
    """The school days of one school (or of the LA, with no school's own closures), in order."""

    days: tuple[dt.date, ...]

    @classmethod
    def of(cls, terms: Iterable[tuple[dt.date, dt.date]], closures: Iterable[dt.date] = ()) -> SchoolCalendar:
        """The weekdays of ``terms`` (first and last day of each half term) less the ``closures``."""
        closed = set(closures)
        days: set[dt.date] = set()
        for start, end in terms:
            day = start
            while day <= end:
                if day.weekday() < 5 and day not in closed:
                    days.add(day)
                day += _ONE
        return cls(tuple(sorted(days)))

    @classmethod
    def from_store(cls, store: Store, urn: int | None = None, *, closures_count: bool = False) -> SchoolCalendar:
        """The calendar of school ``urn`` (``None``: the LA's, closures for every school only) from the store."""
        closures: Sequence[dt.date] = () if closures_count else store.closure_days(urn)
        return cls.of(store.term_dates(), closures)

    def is_school_day(self, day: dt.date) -> bool:
        i = bisect.bisect_left(self.days, day)
        return i < len(self.days) and self.days[i] == day

    def _beyond(self, day: dt.date, n: int) -> NoCalendarError:
        last = self.days[-1].isoformat() if self.days else "none"
        return NoCalendarError(
            f"the {n}th school day from {day:%d %b %Y} is after the last term date held (last school day {last}): "
            "import the LA's next terms.csv"
        )

    def after(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th school day after ``day`` (``day`` itself not counted)."""
        i = bisect.bisect_right(self.days, day) + n - 1
        if n < 1 or i >= len(self.days):
            raise self._beyond(day, n)
        return self.days[i]

    def nth_day(self, day: dt.date, n: int) -> dt.date:
        """School day ``n`` of a period starting on ``day`` (day 1 is ``day`` if a school day, else the next)."""
        i = bisect.bisect_left(self.days, day) + n - 1
        if n < 1 or i >= len(self.days):
            raise self._beyond(day, n)
        return self.days[i]

    def day_number(self, start: dt.date, on: dt.date) -> int:
        """Which school day of a period starting on ``start`` the day ``on`` is (0 before its first school day);
        a day that is not a school day counts as the school days up to it."""
        return max(0, bisect.bisect_right(self.days, on) - bisect.bisect_left(self.days, start))

    def between(self, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
        """The school days from ``start`` to ``end``, both included."""
        return self.days[bisect.bisect_left(self.days, start) : bisect.bisect_right(self.days, end)]
