"""What needs doing on a case: overdue reviews, no contact with the family, part-time timetables due.

:func:`case_flags` looks at a case as at a day, with the settings in force and the school's school
days (a school week is any week with at least one school day; weeks start on ``week_starts_on``). Flags
are worked out when asked for, never stored: the same case can be overdue tomorrow without any event.

Examples:
    >>> from attendwise.casework.settings import CaseworkSettings
    >>> weeks = school_weeks_between(dt.date(2024, 10, 18), dt.date(2024, 11, 15),
    ...     [dt.date(2024, 10, 21), dt.date(2024, 11, 4), dt.date(2024, 11, 11)], CaseworkSettings())
    >>> weeks  # the half term (28 October) had no school days, so it is not a school week
    3
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from attendwise.casework.case import Case, long_date
from attendwise.casework.settings import CaseworkConfig, CaseworkSettings

__all__ = ["Flag", "SchoolWeeks", "case_flags", "last_contact", "school_weeks_between"]


@dataclass(frozen=True)
class Flag:
    """Something on a case that needs doing, in words, with how urgent it is."""

    kind: str  # review_overdue, review_due, no_review_date, no_contact, timetable_review_overdue, ...
    text: str
    #: ``overdue`` (past its date), ``due`` (coming up) or ``warning`` (something to look at).
    severity: str

    @property
    def overdue(self) -> bool:
        return self.severity == "overdue"


def _week_of(day: dt.date, settings: CaseworkSettings) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - settings.week_start) % 7)


class SchoolWeeks:
    """A school's school weeks (weeks holding at least one school day), worked out once for many cases."""

    def __init__(self, school_days: Iterable[dt.date], settings: CaseworkSettings) -> None:
        self.settings = settings
        days = sorted(set(school_days))
        self._days = days
        #: For each school day, how many distinct school weeks there are up to and including its week.
        self._weeks: list[dt.date] = []
        self._count_to: list[int] = []
        for d in days:
            week = _week_of(d, settings)
            if not self._weeks or self._weeks[-1] != week:
                self._weeks.append(week)
            self._count_to.append(len(self._weeks))

    def between(self, after: dt.date, through: dt.date) -> int:
        """School weeks after the week of ``after``, up to the week of ``through``: weeks holding a school day
        on or before ``through`` (the week of ``after`` itself is not counted)."""
        last = bisect_right(self._days, through)
        if last == 0:
            return 0
        upto = self._count_to[last - 1]
        before = bisect_right(self._weeks, _week_of(after, self.settings))
        return max(0, upto - before)


def school_weeks_between(
    after: dt.date, through: dt.date, school_days: Iterable[dt.date], settings: CaseworkSettings
) -> int:
    """School weeks after the week of ``after``, up to the week of ``through``: weeks holding a school day
    on or before ``through`` (the week of ``after`` itself is not counted)."""
    return SchoolWeeks(school_days, settings).between(after, through)


def last_contact(case: Case, config: CaseworkConfig) -> dt.date | None:
    """The date of the latest intervention of a contact type (a call, a letter, a visit...), if any."""
    contacts = [i.date for i in case.interventions if _is_contact(i.type, config)]
    return max(contacts, default=None)


def _is_contact(key: str, config: CaseworkConfig) -> bool:
    return any(t.key == key and t.contact for t in config.intervention_types)


def _fmt(day: dt.date) -> str:
    return long_date(day)


def _review_flag(kind: str, what: str, due: dt.date, as_at: dt.date, settings: CaseworkSettings) -> Flag | None:
    if due < as_at:
        days = (as_at - due).days
        return Flag(
            f"{kind}_overdue", f"{what} was due on {_fmt(due)} ({days} day{'s' if days != 1 else ''} ago)", "overdue"
        )
    if (due - as_at).days <= settings.review_due_days:
        return Flag(f"{kind}_due", f"{what} is due on {_fmt(due)}", "due")
    return None


def case_flags(
    case: Case, config: CaseworkConfig, *, as_at: dt.date, school_days: Iterable[dt.date] | SchoolWeeks
) -> list[Flag]:
    """The flags of an open case as at ``as_at`` (none for a closed case), most urgent first.

    Args:
        case: the case.
        config: the settings (``review_due_days``, ``no_contact_school_weeks``,
            ``part_time_timetable_max_weeks``, ``week_starts_on``) and which intervention types are contact.
        as_at: the day to look from (today).
        school_days: the days the pupil's school met, from the register (at least from the case's opening), or
            its :class:`SchoolWeeks` already worked out.
    """
    if not case.is_open:
        return []
    settings = config.settings
    flags: list[Flag] = []
    if case.review_date is None:
        flags.append(Flag("no_review_date", "No review date is set", "warning"))
    else:
        flag = _review_flag("review", "The case review", case.review_date, as_at, settings)
        if flag:
            flags.append(flag)
    weeks_of = school_days if isinstance(school_days, SchoolWeeks) else SchoolWeeks(school_days, settings)
    contact = last_contact(case, config)
    since = contact or case.opened_on
    weeks = weeks_of.between(since, as_at)
    if weeks >= settings.no_contact_school_weeks:
        what = f"since {_fmt(contact)}" if contact else f"since the case opened on {_fmt(case.opened_on)}"
        flags.append(Flag("no_contact", f"No contact with the family for {weeks} school weeks ({what})", "overdue"))
    for item in case.interventions:
        kind = (
            config.intervention_type(item.type) if any(t.key == item.type for t in config.intervention_types) else None
        )
        if kind is None or not kind.timetable or item.ended:
            continue
        if item.end_date is not None and item.end_date < as_at:
            flags.append(
                Flag(
                    "timetable_past_end",
                    f"The part-time timetable from {_fmt(item.date)} was planned to end on {_fmt(item.end_date)}",
                    "overdue",
                )
            )
        if item.review_date is not None:
            flag = _review_flag(
                "timetable_review", "The part-time timetable's review", item.review_date, as_at, settings
            )
            if flag:
                flags.append(flag)
        if item.end_date is not None and (item.end_date - item.date).days > 7 * settings.part_time_timetable_max_weeks:
            weeks_long = (item.end_date - item.date).days // 7
            flags.append(
                Flag(
                    "timetable_too_long",
                    f"The part-time timetable is planned for {weeks_long} weeks, longer than the LA's "
                    f"{settings.part_time_timetable_max_weeks}",
                    "warning",
                )
            )
    order = {"overdue": 0, "due": 1, "warning": 2}
    return sorted(flags, key=lambda f: order[f.severity])
