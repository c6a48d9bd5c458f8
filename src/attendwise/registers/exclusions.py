"""Suspensions and permanent exclusions (SI 2012/1033 and the DfE's statutory guidance).

Lengths are in **school days**; a lunchtime suspension counts as half a day. The deadlines are counted on
the excluding school's :class:`~attendwise.registers.school_days.SchoolCalendar`, across half terms:

* the LA's full-time provision for a permanent exclusion from school day ``excluded_provision_day`` (6), the
  first day of the exclusion being day 1 (:func:`sixth_day`);
* the governing board's meeting by the ``governing_board_school_days``-th (15th) school day after the head's
  notice, for a permanent exclusion or suspensions totalling more than 15 days in a term
  (:func:`board_deadline`, :func:`board_duty`);
* a parent's application for an independent review panel by the 15th school day after the board's decision
  is notified (:func:`irp_deadline`).

**Reconciliation with the register** (:func:`reconcile`): each suspension covers its sessions (the whole
days from its start, a half day being the morning, a lunchtime the afternoon); an ``E`` mark on a session no
record covers, and a covered session not marked ``E``, are listed for the school to correct. A permanent
exclusion covers every session from its start.

Examples:
    >>> import datetime as dt
    >>> days = [Exclusion("suspension", dt.date(2026, 1, 5), 3), Exclusion("suspension", dt.date(2026, 1, 12), 2)]
    >>> days += [Exclusion("lunchtime", dt.date(2026, 1, 19 + i), 1) for i in range(4)]
    >>> total_days(days), board_duty(days)
    (7.0, 'on request, within 50 school days')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from attendwise.registers.deadlines import Deadline
from attendwise.registers.school_days import SchoolCalendar
from attendwise.registers.settings import RegistersSettings

__all__ = [
    "KINDS",
    "Exclusion",
    "Mismatch",
    "board_deadline",
    "board_duty",
    "irp_deadline",
    "rate_per_100",
    "reconcile",
    "sixth_day",
    "total_days",
]

KINDS = {"suspension": "Suspension", "lunchtime": "Lunchtime suspension", "permanent": "Permanent exclusion"}


@dataclass(frozen=True)
class Exclusion:
    """One suspension or permanent exclusion: its kind, first day and length (school days; lunchtimes: count)."""

    kind: str
    start: dt.date
    length: float = 1
    reasons: tuple[str, ...] = ()

    @property
    def school_days(self) -> float:
        """Its length in school days: a lunchtime suspension is half a day."""
        if self.kind == "lunchtime":
            return 0.5 * self.length
        return 0.0 if self.kind == "permanent" else float(self.length)

    def sessions(self, calendar: SchoolCalendar, until: dt.date) -> set[tuple[dt.date, str]]:
        """The register sessions it covers up to ``until`` (a permanent exclusion: every one from its start)."""
        days = calendar.between(self.start, until)
        if self.kind == "permanent":
            return {(d, s) for d in days for s in ("AM", "PM")}
        if self.kind == "lunchtime":
            return {(d, "PM") for d in days[: int(self.length)]}
        whole, half = int(self.length), self.length - int(self.length)
        covered = {(d, s) for d in days[:whole] for s in ("AM", "PM")}
        if half and len(days) > whole:
            covered.add((days[whole], "AM"))
        return covered


def total_days(exclusions: Iterable[Exclusion]) -> float:
    """School days of suspension (lunchtimes as half days), e.g. in a term."""
    return sum(e.school_days for e in exclusions)


def board_duty(term: Iterable[Exclusion]) -> str | None:
    """Whether the governing board must consider reinstatement, given one pupil's exclusions in a term."""
    term = list(term)
    if any(e.kind == "permanent" for e in term) or total_days(term) > 15:
        return "mandatory, within 15 school days"
    if total_days(term) > 5:
        return "on request, within 50 school days"
    return None


def sixth_day(exclusion: Exclusion, calendar: SchoolCalendar, settings: RegistersSettings) -> Deadline:
    """The day the LA's full-time provision for a permanently excluded pupil must start by."""
    n = settings.excluded_provision_day
    return Deadline(f"provision from school day {n}", calendar.nth_day(exclusion.start, n))


def board_deadline(notice: dt.date, calendar: SchoolCalendar, settings: RegistersSettings) -> Deadline:
    n = settings.governing_board_school_days
    return Deadline(f"governing board meets within {n} school days", calendar.after(notice, n))


def irp_deadline(decision_notified: dt.date, calendar: SchoolCalendar, settings: RegistersSettings) -> Deadline:
    n = settings.irp_application_school_days
    return Deadline(
        f"independent review panel applied for within {n} school days", calendar.after(decision_notified, n)
    )


@dataclass(frozen=True)
class Mismatch:
    """A session where the register and the exclusion records disagree."""

    date: dt.date
    session: str
    #: ``E without a record`` or ``record without E``.
    problem: str
    code: str


def reconcile(
    exclusions: Iterable[Exclusion],
    marks: Iterable[tuple[dt.date, str, str]],
    calendar: SchoolCalendar,
    until: dt.date,
) -> list[Mismatch]:
    """One pupil's E marks against their exclusion records, both ways, up to ``until`` (the latest mark)."""
    covered: set[tuple[dt.date, str]] = set()
    for e in exclusions:
        covered |= {s for s in e.sessions(calendar, until) if s[0] <= until}
    held = {(d, s): c.upper() for d, s, c in marks}
    out = [
        Mismatch(d, s, "E without a record", "E") for (d, s), c in held.items() if c == "E" and (d, s) not in covered
    ]
    out += [
        Mismatch(d, s, "record without E", held[(d, s)]) for (d, s) in covered if (d, s) in held and held[(d, s)] != "E"
    ]
    return sorted(out, key=lambda m: (m.date, m.session))


def rate_per_100(count: int, headcount: int, places: int) -> Decimal | None:
    """A rate per 100 pupils, rounded half up to ``places`` decimal places, as the DfE publishes (``None``:
    no pupils).

    >>> rate_per_100(6155, 61298, 1), rate_per_100(91, 61298, 2), rate_per_100(2756, 61298, 2)
    (Decimal('10.0'), Decimal('0.15'), Decimal('4.50'))
    """
    if headcount <= 0:
        return None
    exact = Decimal(count) * 100 / Decimal(headcount)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
