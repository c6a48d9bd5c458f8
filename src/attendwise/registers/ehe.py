"""Elective home education and the children-not-in-school register (EA1996 s7, ss436B-436G, not yet commenced).

An :class:`EheEntry` holds what the register records: the child, the parents and their addresses, who
provides the education and an estimate of the hours each provides, other providers, the national primary
reason, initial contact and visits, suitability assessments, and the s437(1) notice and School Attendance
Order where it comes to that (the legal pathway holds those steps; the entry keeps their dates). The CNIS
fields (hours by source, providers above the prescribed time) are behind the ``cnis_fields`` setting.

**Consent** (CWSA 2026, commencement UNCONFIRMED): a child on a child protection plan, subject to a s47
enquiry, or registered at a special school may be home educated only with the LA's consent
(:func:`consent_needed`). The s437(1) notice period runs **15 days beginning with the day it is served**,
calendar days (:func:`notice_period_ends`).

Examples:
    >>> import datetime as dt
    >>> notice_period_ends(dt.date(2026, 3, 2))
    datetime.date(2026, 3, 16)
    >>> consent_needed(child_protection_plan=True, s47_enquiry=False, special_school=True)
    ('on a child protection plan', 'registered at a special school')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["SUITABILITY", "EheEntry", "consent_needed", "notice_period_ends"]

#: The outcomes of a suitability assessment.
SUITABILITY = {
    "not_assessed": "Not assessed",
    "suitable": "Suitable",
    "concerns": "Concerns: advice given",
    "unsuitable": "Unsuitable",
}


@dataclass(frozen=True)
class EheEntry:
    """One child on the home-education register."""

    started_on: dt.date
    reason: str
    upn: str | None = None
    #: The school the child was removed from (``None``: never on a roll here).
    from_urn: int | None = None
    education_by: str = ""
    hours_by_parents: float | None = None
    hours_by_others: float | None = None
    suitability: str = "not_assessed"
    child_protection_plan: bool = False
    special_school: bool = False
    consent_given_on: dt.date | None = None
    ended_on: dt.date | None = None

    def is_open_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)

    @property
    def awaiting_consent(self) -> bool:
        """Consent is needed and not yet recorded."""
        needed = consent_needed(
            child_protection_plan=self.child_protection_plan, s47_enquiry=False, special_school=self.special_school
        )
        return bool(needed) and self.consent_given_on is None

    @property
    def counts_as_cme(self) -> bool:
        """Home education assessed as unsuitable is CME (the DfE's and Coventry's definitions)."""
        return self.suitability == "unsuitable"


def consent_needed(*, child_protection_plan: bool, s47_enquiry: bool, special_school: bool) -> tuple[str, ...]:
    """Why the LA's consent is needed to home educate this child (empty: it is not)."""
    why = []
    if s47_enquiry:
        why.append("subject to a s47 enquiry")
    if child_protection_plan:
        why.append("on a child protection plan")
    if special_school:
        why.append("registered at a special school")
    return tuple(why)


def notice_period_ends(served: dt.date, days: int = 15) -> dt.date:
    """The last day of a s437(1) notice period: ``days`` calendar days beginning with the day served."""
    return served + dt.timedelta(days=days - 1)
