"""Counting days the way the legal pathway's rules count them: school days, school weeks, working days.

Deadlines in the pathway mix units (a notice is paid within 21 *calendar* days of receipt, which is the
second *working* day after posting; a Notice to Improve runs 20 *school* days; a contract 6 calendar or
school weeks), so every period is a :class:`~attendwise.casework.legal.settings.Span` (count, unit, where it
starts) and is counted here, against a :class:`SchoolCalendar`: the days a pupil's school met (from its
register: ``Store.school_days``) and England's bank holidays.

Examples (the domain reference's worked example E7, an NTI issued on Wed 4 Feb 2026):
    >>> cal = SchoolCalendar.weekdays(dt.date(2026, 1, 5), dt.date(2026, 3, 27), holidays=[
    ...     (dt.date(2026, 2, 16), dt.date(2026, 2, 20))])
    >>> cal.add_school_days(dt.date(2026, 2, 4), 20)
    datetime.date(2026, 3, 11)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from attendwise.core.calendar import easter_sunday, spring_bank_holiday

__all__ = ["STARTS", "UNITS", "SchoolCalendar", "Span", "add_working_days", "england_bank_holidays", "monday_of"]

_DAY = dt.timedelta(days=1)

#: Bank holidays moved or added by proclamation (England and Wales), beyond the standing rules.
_MOVED = {
    2020: ({dt.date(2020, 5, 4)}, {dt.date(2020, 5, 8)}),  # VE Day
    2022: ({dt.date(2022, 5, 30)}, {dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 9, 19)}),
    2023: (set(), {dt.date(2023, 5, 8)}),  # the coronation
}


def _substitute(day: dt.date, taken: set[dt.date]) -> dt.date:
    while day.weekday() >= 5 or day in taken:
        day += _DAY
    return day


@cache
def england_bank_holidays(year: int) -> frozenset[dt.date]:
    """England's bank holidays in a calendar year: the standing rules, with the substitute days for those
    falling at a weekend, and the moved and added days of 2020, 2022 and 2023.

    >>> sorted(d for d in england_bank_holidays(2026) if d.month == 4)
    [datetime.date(2026, 4, 3), datetime.date(2026, 4, 6)]
    """
    easter = easter_sunday(year)
    first_may = dt.date(year, 5, 1)
    last_aug = dt.date(year, 8, 31)
    days = {
        _substitute(dt.date(year, 1, 1), set()),
        easter - dt.timedelta(days=2),
        easter + _DAY,
        first_may + dt.timedelta(days=(7 - first_may.weekday()) % 7),
        spring_bank_holiday(year),
        last_aug - dt.timedelta(days=last_aug.weekday()),
    }
    christmas = _substitute(dt.date(year, 12, 25), set())
    days |= {christmas, _substitute(dt.date(year, 12, 26), {christmas})}
    removed, added = _MOVED.get(year, (set(), set()))
    return frozenset((days - removed) | added)


def add_working_days(start: dt.date, count: int, extra_holidays: Iterable[dt.date] = ()) -> dt.date:
    """The ``count``-th working day after ``start`` (Monday to Friday but England's bank holidays).

    >>> add_working_days(dt.date(2026, 4, 2), 2)  # posted Thu 2 Apr 2026, Good Friday and Easter Monday between
    datetime.date(2026, 4, 8)
    """
    extra = set(extra_holidays)
    day, left = start, count
    while left > 0:
        day += _DAY
        if day.weekday() < 5 and day not in england_bank_holidays(day.year) and day not in extra:
            left -= 1
    return day


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class SchoolCalendar:
    """The days a school met for its pupils (its register's days; closure days are not school days)."""

    days: tuple[dt.date, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(sorted(set(self.days))))

    @classmethod
    def weekdays(
        cls, start: dt.date, end: dt.date, *, holidays: Iterable[tuple[dt.date, dt.date]] = ()
    ) -> SchoolCalendar:
        """Every weekday from ``start`` to ``end`` but bank holidays and the ``holidays`` (first, last day)."""
        closed = list(holidays)
        out, day = [], start
        while day <= end:
            if (
                day.weekday() < 5
                and day not in england_bank_holidays(day.year)
                and not any(a <= day <= b for a, b in closed)
            ):
                out.append(day)
            day += _DAY
        return cls(tuple(out))

    def school_days_after(self, day: dt.date) -> list[dt.date]:
        return [d for d in self.days if d > day]

    def next_school_day(self, day: dt.date) -> dt.date:
        """The first school day after ``day``."""
        later = self.school_days_after(day)
        if not later:
            raise ValueError(f"the school calendar has no school day after {day.isoformat()}")
        return later[0]

    def add_school_days(self, day: dt.date, count: int, *, first_is_next: bool = True) -> dt.date:
        """The last of ``count`` school days, day 1 being the next school day after ``day`` (or ``day`` itself
        when ``first_is_next`` is false and it is a school day)."""
        pool = self.school_days_after(day) if first_is_next else [d for d in self.days if d >= day]
        if len(pool) < count:
            raise ValueError(
                f"the school calendar has only {len(pool)} school days from {day.isoformat()}, not {count}"
            )
        return pool[count - 1]

    def school_weeks(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The Mondays of the school weeks (weeks with at least one school day) from ``start`` to ``end``."""
        return sorted({monday_of(d) for d in self.days if start <= d <= end})

    def add_school_weeks(self, day: dt.date, count: int, *, start: str = "next_school_day") -> dt.date:
        """The last school day of the ``count``-th school week (a week with a school day): week 1 is the week of
        the next school day after ``day`` (``start="next_school_day"``), ``day``'s own week (``"same_day"``),
        or the first school week after ``day``'s week (``"next_week"``)."""
        if start == "next_week":
            first = monday_of(day) + dt.timedelta(weeks=1)
        elif start == "same_day":
            first = monday_of(day)
        else:
            first = monday_of(self.next_school_day(day))
        weeks = sorted({monday_of(d) for d in self.days if monday_of(d) >= first})
        if len(weeks) < count:
            raise ValueError(f"the school calendar has only {len(weeks)} school weeks from {first.isoformat()}")
        last = weeks[count - 1]
        return max(d for d in self.days if monday_of(d) == last)

    def school_days_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        return [d for d in self.days if start <= d <= end]


#: The units a period may be counted in.
UNITS = ("calendar_days", "calendar_weeks", "school_days", "school_weeks", "working_days")
#: Where a period's first day (or week) is: the next school day after the event (its week, for weeks), the
#: event's own day (or week), or the week after the event's week.
STARTS = ("next_school_day", "same_day", "next_week")


@dataclass(frozen=True)
class Span:
    """A period as the reference asks every period to be stored: a count, its unit and where it starts.

    ``same_day`` counts the event's day as day 1 (15 days beginning with the day a notice is served end 14 days
    after it); ``next_school_day`` counts from the next school day (calendar units: the next day), so a
    period of 21 calendar days from receipt ends 21 days after receipt, the reading that favours the parent.
    """

    count: int
    unit: str
    start: str = "next_school_day"

    def __post_init__(self) -> None:
        if not isinstance(self.count, int) or isinstance(self.count, bool) or self.count < 1:
            raise ValueError(f"a period needs a whole number of at least 1, not {self.count!r}")
        if self.unit not in UNITS:
            raise ValueError(f"{self.unit!r} is not a unit (the units are {', '.join(UNITS)})")
        if self.start not in STARTS:
            raise ValueError(f"{self.start!r} is not where a period starts ({', '.join(STARTS)})")

    def describe(self) -> str:
        unit = self.unit.replace("_", " ")
        return f"{self.count} {unit[:-1] if self.count == 1 else unit}"

    def end(self, day: dt.date, calendar: SchoolCalendar | None = None) -> dt.date:
        """The period's last day, for a period beginning from ``day``."""
        offset = 1 if self.start == "same_day" else 0
        if self.unit == "calendar_days":
            return day + dt.timedelta(days=self.count - offset)
        if self.unit == "calendar_weeks":
            return day + dt.timedelta(weeks=self.count) - dt.timedelta(days=offset)
        if self.unit == "working_days":
            return add_working_days(day - dt.timedelta(days=offset), self.count)
        if calendar is None:
            raise ValueError(f"a period in {self.unit.replace('_', ' ')} needs the school's calendar")
        if self.unit == "school_days":
            return calendar.add_school_days(day, self.count, first_is_next=self.start != "same_day")
        return calendar.add_school_weeks(day, self.count, start=self.start)
