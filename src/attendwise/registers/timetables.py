"""Part-time timetables (leave of absence under SI 2024/208 reg 11, coded C2).

WTTISA wants each timetable time-limited, reviewed and as short as possible. A :class:`Timetable` holds its
start, planned end, review date, reason and who agreed it; :func:`flags` says what is wrong with one on a
day (review overdue, planned end passed, longer than ``timetable_max_weeks``), and :func:`c2_without_timetable`
lists C2 marks on days no timetable of the pupil's covers (a data-quality flag for the school).

Examples:
    >>> import datetime as dt
    >>> t = Timetable(dt.date(2025, 1, 6), dt.date(2025, 3, 28), dt.date(2025, 2, 3))
    >>> flags(t, dt.date(2025, 2, 10), 6)
    ('review overdue since Mon 03 Feb 2025', 'planned for 11 weeks, more than 6')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Timetable", "c2_without_timetable", "flags"]


@dataclass(frozen=True)
class Timetable:
    start: dt.date
    planned_end: dt.date
    review_date: dt.date
    reason: str = ""
    agreed_by: str = ""
    ended_on: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        end = self.ended_on or self.planned_end
        return self.start <= day <= end

    def is_live(self, day: dt.date) -> bool:
        return self.start <= day and self.ended_on is None


def flags(timetable: Timetable, today: dt.date, max_weeks: int) -> tuple[str, ...]:
    """What needs attention on a timetable on ``today``."""
    out = []
    if timetable.ended_on is None and today > timetable.review_date:
        out.append(f"review overdue since {timetable.review_date:%a %d %b %Y}")
    if timetable.ended_on is None and today > timetable.planned_end:
        out.append(f"planned end passed ({timetable.planned_end:%a %d %b %Y})")
    weeks = (timetable.planned_end - timetable.start).days // 7
    if weeks > max_weeks:
        out.append(f"planned for {weeks} weeks, more than {max_weeks}")
    return tuple(out)


def c2_without_timetable(c2_days: Iterable[dt.date], timetables: Iterable[Timetable]) -> list[dt.date]:
    """The days a pupil was marked C2 that none of their timetables covers."""
    timetables = list(timetables)
    return sorted({d for d in c2_days if not any(t.covers(d) for t in timetables)})
