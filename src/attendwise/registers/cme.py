"""Children missing education (EA1996 s436A): the referral, its enquiries, escalation and outcome.

One route of referral: a school's removal from roll without a known destination, another LA, an agency
or a member of the public all make a :class:`CmeReferral` with a source and a reason from the configured
lists (``presets/registers.toml``). While the child's whereabouts are unknown the referral is **escalated**
on the ``cme_escalation_school_days``-th school day of the LA's calendar (the day they became unknown is
day 1 when a school day). Children with an EHC plan awaiting a place are a sub-cohort with their interim
provision. A referral is **open at a census date** from its referral day until the day it closes with an
outcome (the DfE's termly collection counts open referrals at the census date).

Examples:
    >>> import datetime as dt
    >>> from attendwise.registers.school_days import SchoolCalendar
    >>> cal = SchoolCalendar.of([(dt.date(2026, 1, 5), dt.date(2026, 2, 13)), (dt.date(2026, 2, 23),
    ...                          dt.date(2026, 3, 27))])
    >>> r = CmeReferral(referred_on=dt.date(2026, 2, 9), source="school", reason="whereabouts_unknown",
    ...                 whereabouts_unknown_since=dt.date(2026, 2, 9))
    >>> escalation(r, cal, 10).due   # 9-13 Feb are days 1-5, the half term skipped, 23-27 Feb days 6-10
    datetime.date(2026, 2, 27)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from attendwise.registers.deadlines import Deadline
from attendwise.registers.school_days import SchoolCalendar

__all__ = ["CmeReferral", "Enquiry", "escalation", "open_at"]


@dataclass(frozen=True)
class Enquiry:
    """One enquiry made about a child: which agency, when, and what it found."""

    date: dt.date
    agency: str
    result: str


@dataclass(frozen=True)
class CmeReferral:
    """A child referred as missing education."""

    referred_on: dt.date
    source: str
    reason: str
    upn: str | None = None
    #: The day the child's whereabouts became unknown, while they are; ``None`` when known.
    whereabouts_unknown_since: dt.date | None = None
    ehc_plan: bool = False
    interim_provision: str = ""
    enquiries: tuple[Enquiry, ...] = ()
    escalated_on: dt.date | None = None
    outcome: str | None = None
    closed_on: dt.date | None = None

    def is_open_on(self, day: dt.date) -> bool:
        return self.referred_on <= day and (self.closed_on is None or self.closed_on > day)

    @property
    def awaiting_place_with_plan(self) -> bool:
        """The sub-cohort with an EHC plan awaiting a place (the SEND team arranges interim provision)."""
        return self.ehc_plan and self.closed_on is None


def escalation(referral: CmeReferral, calendar: SchoolCalendar, school_days: int) -> Deadline | None:
    """When a referral whose child's whereabouts are unknown must be escalated (``None``: whereabouts known)."""
    if referral.whereabouts_unknown_since is None:
        return None
    due = calendar.nth_day(referral.whereabouts_unknown_since, school_days)
    return Deadline(f"escalate: whereabouts unknown for {school_days} school days", due, referral.escalated_on)


def open_at(referrals: Iterable[CmeReferral], census: dt.date) -> list[CmeReferral]:
    """The referrals open at a census date."""
    return [r for r in referrals if r.is_open_on(census)]
