"""One child's attendance as a letter or a family view states it, and the learning time absence costs.

:func:`pupil_attendance` gives each pupil's sessions possible, attended and missed over a period (by default
this academic year up to the latest mark), summed over their enrolments, from the same rows as the LA's
measures (:func:`attendwise.measures.absence.enrolment_absence`, with a single child's population:
:data:`attendwise.measures.pupils.PUPIL_POPULATION`), for many pupils in one query.

:func:`learning_time` turns an attendance rate into days and hours of learning missed, as Coventry's
*School Attendance Matters* tabulates it: over a 200-day year of 5 learning hours a day, 95% attendance is
10 days and 50 hours missed a year, and 600 hours over the 12 years from Reception to Year 11. The three
numbers are settings (:class:`LearningHours`), Coventry's by default.

>>> t = learning_time(Fraction(95, 100))
>>> t.days_a_year, t.hours_a_year, t.hours_school_life
(Fraction(10, 1), Fraction(50, 1), Fraction(600, 1))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from attendwise.core.calendar import AcademicYear, Period
from attendwise.core.codes import with_meaning
from attendwise.measures.absence import enrolment_absence
from attendwise.measures.pupils import PUPIL_POPULATION

if TYPE_CHECKING:
    from attendwise.store import Store

__all__ = [
    "COVENTRY_LEARNING_HOURS",
    "LearningHours",
    "LearningTime",
    "PupilAttendance",
    "last_absence",
    "learning_time",
    "pupil_attendance",
    "year_so_far",
]


@dataclass(frozen=True)
class LearningHours:
    """How a year of school is counted in learning time.

    Attributes:
        days_a_year: school days in a year (Coventry's table: 200; a register year is 190).
        hours_a_day: learning hours in a school day.
        school_years: the years of school a child's time is counted over (Reception to Year 11: 12).
    """

    days_a_year: int = 200
    hours_a_day: int = 5
    school_years: int = 12


#: Coventry's settings, which reproduce its table (97% = 6 days = 30 hours a year = 360 hours YR-Y11).
COVENTRY_LEARNING_HOURS = LearningHours()


@dataclass(frozen=True)
class LearningTime:
    """The learning missed a year, and over the school years, at one attendance rate (exact fractions)."""

    attendance: Fraction
    days_a_year: Fraction
    hours_a_year: Fraction
    hours_school_life: Fraction


def learning_time(attendance: Fraction, settings: LearningHours = COVENTRY_LEARNING_HOURS) -> LearningTime:
    """The days and hours of learning missed at ``attendance`` (a fraction of sessions attended, 0 to 1).

    Examples (the reference's E15: 90% over 200 days of 5 hours is 20 days, 100 hours a year, 1,200 over
    Reception to Year 11; over 190 days, 19 days, 95 hours and 1,140):

    >>> [int(x) for x in vars(learning_time(Fraction(9, 10))).values()][1:]
    [20, 100, 1200]
    >>> [int(x) for x in vars(learning_time(Fraction(9, 10), LearningHours(days_a_year=190))).values()][1:]
    [19, 95, 1140]
    >>> float(learning_time(Fraction(97, 100), LearningHours(days_a_year=190)).days_a_year)
    5.7
    """
    if not 0 <= attendance <= 1:
        raise ValueError(f"attendance {attendance} is not between 0 and 1")
    days = (1 - Fraction(attendance)) * settings.days_a_year
    hours = days * settings.hours_a_day
    return LearningTime(Fraction(attendance), days, hours, hours * settings.school_years)


@dataclass(frozen=True)
class PupilAttendance:
    """A pupil's sessions over a period, summed over their enrolments (every school they were on roll at)."""

    upn: str
    period: Period
    sess_possible: int
    sess_attended: int
    sess_authorised: int
    sess_unauthorised: int

    @property
    def sess_missed(self) -> int:
        """Sessions of absence (authorised and unauthorised)."""
        return self.sess_authorised + self.sess_unauthorised

    @property
    def days_missed(self) -> Fraction:
        """School days missed: two sessions a day."""
        return Fraction(self.sess_missed, 2)

    @property
    def attendance(self) -> Fraction | None:
        """Sessions attended over sessions possible (``None`` with no possible session)."""
        return Fraction(self.sess_attended, self.sess_possible) if self.sess_possible else None

    @property
    def attendance_percent(self) -> float | None:
        return None if self.attendance is None else float(100 * self.attendance)

    @property
    def persistently_absent(self) -> bool:
        """10% or more of possible sessions missed (the DfE's definition, in exact integers)."""
        return self.sess_possible > 0 and 10 * self.sess_missed >= self.sess_possible

    @property
    def severely_absent(self) -> bool:
        """50% or more of possible sessions missed."""
        return self.sess_possible > 0 and 2 * self.sess_missed >= self.sess_possible

    def hours_missed(self, settings: LearningHours = COVENTRY_LEARNING_HOURS) -> Fraction:
        """Learning hours missed in the period: the days missed at the setting's hours a day."""
        return self.days_missed * settings.hours_a_day

    def learning_time(self, settings: LearningHours = COVENTRY_LEARNING_HOURS) -> LearningTime | None:
        """What a whole year (and the school years) at this period's attendance would miss."""
        return None if self.attendance is None else learning_time(self.attendance, settings)


def year_so_far(store: Store, on: dt.date | None = None) -> Period:
    """The academic year containing ``on`` (default: the store's latest mark, else today), up to ``on``, or
    to the latest mark on or before it: the period a letter's "this year" is."""
    latest = store.latest_mark()
    day = on or latest or dt.date.today()
    year = AcademicYear.containing(day)
    end = min(day, year.end)
    held = store.latest_mark(year.start, end)
    end = held or end
    return Period(f"{year.label} to {end.day} {end:%B %Y}", year.start, end)


def pupil_attendance(store: Store, upns: Iterable[str], period: Period | None = None) -> dict[str, PupilAttendance]:
    """Each pupil's attendance over ``period`` (default :func:`year_so_far`), by UPN.

    A pupil with no possible session in the period (not yet on roll, say) is left out. Every age and
    boarders count (one child's figures, not the DfE's population), and the DfE's summer rules are not
    applied, as on the pupil page.
    """
    wanted = sorted(set(upns))
    period = period or year_so_far(store)
    if not wanted:
        return {}
    rows = enrolment_absence(store, period, PUPIL_POPULATION)
    rows = rows.filter(rows.upn.isin(wanted))
    summed = rows.group_by("upn").aggregate(
        sess_possible=rows.sess_possible.sum(),
        sess_attended=(rows.sess_present + rows.sess_aea).sum(),
        sess_authorised=rows.sess_authorised.sum(),
        sess_unauthorised=rows.sess_unauthorised.sum(),
    )
    frame = summed.execute()
    return {
        str(r.upn): PupilAttendance(
            upn=str(r.upn),
            period=period,
            sess_possible=int(r.sess_possible),
            sess_attended=int(r.sess_attended),
            sess_authorised=int(r.sess_authorised),
            sess_unauthorised=int(r.sess_unauthorised),
        )
        for r in frame.itertuples(index=False)
    }


def last_absence(store: Store, upns: Iterable[str], period: Period | None = None) -> dict[str, dt.date]:
    """The latest day in ``period`` (default :func:`year_so_far`) on which each pupil was marked absent
    (authorised or not), by UPN; pupils with no absence are left out. A first-day follow-up letter names it."""
    wanted = sorted(set(upns))
    period = period or year_so_far(store)
    if not wanted:
        return {}
    marks = store.table("marks")
    enrolments = store.table("enrolments")
    theirs = enrolments.filter(enrolments.upn.isin(wanted)).select("enrolment_id", "upn")
    m = with_meaning(marks.filter(marks.date.between(period.start, period.end)).join(theirs, "enrolment_id"))
    m = m.filter((m.is_authorised + m.is_unauthorised) > 0)
    frame = m.group_by("upn").aggregate(last=m.date.max()).execute()
    return {str(r.upn): _day(r.last) for r in frame.itertuples(index=False)}


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
