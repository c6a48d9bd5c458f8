"""Removals from roll (SI 2024/208 reg 9): what a school's notification must show, and what it opens.

A school notifies the LA of every deletion from its admission register with the ground and the date.
Two rules follow from the notification:

* **continuous unexplained absence** (reg 9(1)(i), the "20-day rule"): the removal is accepted only when
  the marks show at least ``removal_absence_school_days`` school days in a row, every session coded with one
  of ``removal_absence_codes`` (G, N, O), ending on the last school day before the removal, **and** both the
  school's and the LA's enquiries are recorded as having failed to find the child. A school day with any
  other mark, or with no mark, breaks the run; days outside term neither count nor break it
  (:func:`unexplained_absence_run`). The removal day must come after the run's required day.
* **what it opens** (:func:`consequences`): a removal to home education opens an entry on the home-education
  register; one whose ground leads away from the school with no known destination (no school or LA named)
  opens a CME referral; a removal on the 20-day ground always does (whereabouts unknown).

Examples:
    >>> import datetime as dt
    >>> from attendwise.registers.settings import load_registers_config
    >>> config = load_registers_config()
    >>> consequences(config.ground("moved_away"), destination_urn=None, destination_la="")
    Consequences(opens_ehe=False, opens_cme=True, cme_reason='removed_from_roll')
    >>> consequences(config.ground("home_education"), destination_urn=None, destination_la="")
    Consequences(opens_ehe=True, opens_cme=False, cme_reason='')
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from attendwise.registers.school_days import SchoolCalendar
from attendwise.registers.settings import RegistersSettings, RemovalGround

__all__ = [
    "AbsenceRun",
    "Consequences",
    "Problem",
    "check_unexplained_absence",
    "consequences",
    "unexplained_absence_run",
]

UNEXPLAINED_ABSENCE = "unexplained_absence"


@dataclass(frozen=True)
class Problem:
    """What is wrong with a notification, and the field it is about."""

    field: str
    message: str


@dataclass(frozen=True)
class AbsenceRun:
    """School days in a row on which every session was coded as unexplained absence."""

    first: dt.date
    last: dt.date
    school_days: int


@dataclass(frozen=True)
class Consequences:
    """What a notified removal opens on the LA's registers."""

    opens_ehe: bool
    opens_cme: bool
    #: The CME reason the opened referral carries.
    cme_reason: str


def unexplained_absence_run(
    marks: Iterable[tuple[dt.date, str, str]], calendar: SchoolCalendar, codes: frozenset[str], before: dt.date
) -> AbsenceRun | None:
    """The run of school days, ending on the last school day before ``before``, on which every mark is one
    of ``codes`` (``marks`` are ``(date, session, code)``); ``None`` if that day itself is not such a day."""
    by_day: dict[dt.date, list[str]] = defaultdict(list)
    for day, _session, code in marks:
        by_day[day].append(code.upper())
    days = calendar.between(dt.date.min, before - dt.timedelta(days=1))
    run: list[dt.date] = []
    for day in reversed(days):
        codes_that_day = by_day.get(day)
        if not codes_that_day or any(c not in codes for c in codes_that_day):
            break
        run.append(day)
    if not run:
        return None
    return AbsenceRun(run[-1], run[0], len(run))


def check_unexplained_absence(
    *,
    removal_date: dt.date,
    marks: Iterable[tuple[dt.date, str, str]],
    calendar: SchoolCalendar,
    settings: RegistersSettings,
    school_enquiry_failed: bool,
    la_enquiry_failed: bool,
) -> list[Problem]:
    """Why a removal on the 20-day ground is refused (an empty list: the marks and enquiries support it)."""
    problems = []
    need = settings.removal_absence_school_days
    run = unexplained_absence_run(marks, calendar, settings.absence_codes, removal_date)
    codes = ", ".join(sorted(settings.absence_codes))
    if run is None:
        problems.append(
            Problem(
                "removal_date",
                f"The marks do not show continuous unexplained absence before the removal: the last school day "
                f"before it is not coded {codes} in every session",
            )
        )
    elif run.school_days < need:
        problems.append(
            Problem(
                "removal_date",
                f"The marks show {run.school_days} school days of continuous unexplained absence "
                f"({run.first:%d %b %Y} to {run.last:%d %b %Y}); this ground needs {need}",
            )
        )
    if not school_enquiry_failed:
        problems.append(Problem("school_enquiry_failed", "Record that the school's enquiries failed to find the child"))
    if not la_enquiry_failed:
        problems.append(Problem("la_enquiry_failed", "Record that the LA's enquiries failed to find the child"))
    return problems


def consequences(ground: RemovalGround, *, destination_urn: int | None, destination_la: str) -> Consequences:
    """What a removal on ``ground`` opens, given the destination school or LA the notification names."""
    known = destination_urn is not None or bool(destination_la.strip())
    if ground.destination == "home_education":
        return Consequences(True, False, "")
    if ground.destination == "unknown":
        return Consequences(False, True, "whereabouts_unknown")
    if ground.destination in {"school", "away"} and not known:
        return Consequences(False, True, "removed_from_roll")
    return Consequences(False, False, "")
