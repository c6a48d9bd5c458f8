"""Notices to Improve and attendance contracts: a period, support, a target, and an outcome read from the marks.

Both give a parent a period to improve (a Notice to Improve its improvement period, from the next school day
after issue by default; a contract its term to the review date, from the meeting) with the support offered and
an attendance target. At the period's end :func:`evaluate` reads the pupil's marks for the period and says
whether the target was met, with the figures, for the officer to decide on (the outcome is never automatic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from attendwise.casework.legal.dates import SchoolCalendar, Span
from attendwise.casework.legal.decisions import Decision, decide, long_date, refuse
from attendwise.casework.legal.notices import Session
from attendwise.casework.legal.settings import LegalSettings
from attendwise.core.codes import Category, lookup

__all__ = [
    "AttendanceContract",
    "Evaluation",
    "NoticeToImprove",
    "evaluate",
    "evaluate_contract",
    "evaluate_nti",
    "issue_nti",
    "make_contract",
    "period_figures",
]


@dataclass(frozen=True)
class Evaluation:
    """A period read from the marks: possible sessions, attended, unauthorised absence, against the target."""

    start: dt.date
    end: dt.date
    possible: int
    attended: int
    unauthorised: int
    target_percent: int
    max_unauthorised: int | None
    #: Whether the period has ended by the day it was read on (a period still running is shown, not decided).
    ended: bool

    @property
    def percent(self) -> Fraction | None:
        return Fraction(100 * self.attended, self.possible) if self.possible else None

    @property
    def met(self) -> bool:
        """Attendance at or above the target (integer arithmetic: 100 × attended ≥ target × possible), and no more
        unauthorised absence than allowed."""
        ok = self.possible > 0 and 100 * self.attended >= self.target_percent * self.possible
        return ok and (self.max_unauthorised is None or self.unauthorised <= self.max_unauthorised)

    def describe(self) -> str:
        pct = "no possible sessions" if self.percent is None else f"{float(self.percent):.1f}%"
        verdict = "met" if self.met else "not met"
        extra = (
            f", {self.unauthorised} unauthorised"
            if self.max_unauthorised is None
            else (f", {self.unauthorised} unauthorised (at most {self.max_unauthorised})")
        )
        state = "" if self.ended else " (the period has not ended)"
        return (
            f"{long_date(self.start)} to {long_date(self.end)}: attended {self.attended} of {self.possible}"
            f" sessions ({pct}{extra}), target {self.target_percent}%: {verdict}{state}"
        )


def period_figures(marks: Iterable[Session], start: dt.date, end: dt.date) -> tuple[int, int, int]:
    """Possible sessions, sessions attended and sessions of unauthorised absence in ``start``..``end``, each mark
    read against the code set in force on its date."""
    possible = attended = unauthorised = 0
    for m in marks:
        if not start <= m.date <= end:
            continue
        category = lookup(m.code, m.date).category
        possible += category.counts_as_possible
        attended += category.counts_as_attendance
        unauthorised += category == Category.UNAUTHORISED
    return possible, attended, unauthorised


def evaluate(
    marks: Iterable[Session],
    start: dt.date,
    end: dt.date,
    *,
    target_percent: int,
    max_unauthorised: int | None,
    today: dt.date,
) -> Evaluation:
    possible, attended, unauthorised = period_figures(marks, start, end)
    return Evaluation(start, end, possible, attended, unauthorised, target_percent, max_unauthorised, today > end)


@dataclass(frozen=True)
class NoticeToImprove:
    """A final chance for one parent to engage with support and improve, before a penalty notice."""

    ref: str
    parent_id: str
    upn: str
    issued_on: dt.date
    support_offered: str
    start: dt.date
    end: dt.date
    period: Span
    target_percent: int
    max_unauthorised: int | None = None
    outcome: str = ""
    decisions: tuple[Decision, ...] = ()


def issue_nti(
    *,
    ref: str,
    parent_id: str,
    upn: str,
    issued_on: dt.date,
    support_offered: str,
    calendar: SchoolCalendar,
    s: LegalSettings,
    who: str,
    at: dt.datetime,
    target_percent: int | None = None,
    max_unauthorised: int | None = None,
    period: Span | None = None,
) -> tuple[NoticeToImprove, Decision]:
    """A Notice to Improve to one parent, its improvement period counted on the school's calendar (E7)."""
    rule = "National Framework: a Notice to Improve gives support and an improvement period of 3 to 6 weeks"
    action = "issue a Notice to Improve"
    if not support_offered.strip():
        raise refuse(action, rule, "a Notice to Improve says what support is offered", who, at)
    span = period or s.nti_period
    target = s.nti_target_percent if target_percent is None else target_percent
    if not 0 < target <= 100:
        raise refuse(action, rule, "the attendance target is a percentage from 1 to 100", who, at)
    start = issued_on if span.start == "same_day" else calendar.next_school_day(issued_on)
    end = span.end(issued_on, calendar)
    decision = decide(
        action,
        True,
        rule,
        f"improvement period {span.describe()}: {long_date(start)} to {long_date(end)}, target {target}%",
        who,
        at,
        start=start.isoformat(),
        end=end.isoformat(),
        period=span.describe(),
    )
    nti = NoticeToImprove(
        ref,
        parent_id,
        upn,
        issued_on,
        support_offered.strip(),
        start,
        end,
        span,
        target,
        max_unauthorised,
        decisions=(decision,),
    )
    return nti, decision


def evaluate_nti(
    nti: NoticeToImprove, marks: Sequence[Session], *, today: dt.date, who: str, at: dt.datetime
) -> tuple[NoticeToImprove, Evaluation, Decision]:
    """The NTI read at the end of its period, for the officer: met (no notice) or not (a notice may follow)."""
    ev = evaluate(
        marks, nti.start, nti.end, target_percent=nti.target_percent, max_unauthorised=nti.max_unauthorised, today=today
    )
    rule = "A Notice to Improve is evaluated from the register at the end of its improvement period"
    if not ev.ended:
        raise refuse(
            "evaluate a Notice to Improve", rule, f"the improvement period runs to {long_date(nti.end)}", who, at
        )
    outcome = "improved: no penalty notice" if ev.met else "not improved: a penalty notice may be requested"
    decision = decide(
        "evaluate a Notice to Improve",
        True,
        rule,
        f"{ev.describe()}; {outcome}",
        who,
        at,
        possible=ev.possible,
        attended=ev.attended,
        unauthorised=ev.unauthorised,
        met=ev.met,
    )
    return replace(nti, outcome=outcome, decisions=(*nti.decisions, decision)), ev, decision


@dataclass(frozen=True)
class AttendanceContract:
    """A written agreement between the parents and the school or LA (not legally binding)."""

    ref: str
    upn: str
    parent_ids: tuple[str, ...]
    meeting_on: dt.date
    parties: tuple[str, ...]
    requirements: str
    support: str
    review_on: dt.date
    period: Span
    target_percent: int
    outcome: str = ""
    decisions: tuple[Decision, ...] = ()


def make_contract(
    *,
    ref: str,
    upn: str,
    parent_ids: Sequence[str],
    meeting_on: dt.date,
    parties: Sequence[str],
    requirements: str,
    support: str,
    calendar: SchoolCalendar,
    s: LegalSettings,
    who: str,
    at: dt.datetime,
    period: Span | None = None,
    target_percent: int | None = None,
) -> tuple[AttendanceContract, Decision]:
    """An attendance contract agreed at a meeting; its review date is the end of its period (E8)."""
    rule = "Working together to improve school attendance: an attendance contract, with support and a review date"
    action = "agree an attendance contract"
    if not parent_ids:
        raise refuse(action, rule, "a contract is agreed with at least one parent (never in their absence)", who, at)
    if not requirements.strip() or not support.strip():
        raise refuse(action, rule, "a contract says what the parent will do and what support is given", who, at)
    span = period or s.contract_period
    review = span.end(meeting_on, calendar)
    target = s.contract_target_percent if target_percent is None else target_percent
    decision = decide(
        action,
        True,
        rule,
        f"{span.describe()}: review on {long_date(review)}, target {target}%",
        who,
        at,
        review_on=review.isoformat(),
        period=span.describe(),
    )
    contract = AttendanceContract(
        ref,
        upn,
        tuple(parent_ids),
        meeting_on,
        tuple(parties),
        requirements.strip(),
        support.strip(),
        review,
        span,
        target,
        decisions=(decision,),
    )
    return contract, decision


def evaluate_contract(
    contract: AttendanceContract, marks: Sequence[Session], *, today: dt.date, who: str, at: dt.datetime
) -> tuple[AttendanceContract, Evaluation, Decision]:
    """The contract at its review: improvement (no further legal action) or none (the next steps to prosecution)."""
    ev = evaluate(
        marks,
        contract.meeting_on,
        contract.review_on,
        target_percent=contract.target_percent,
        max_unauthorised=None,
        today=today,
    )
    rule = "An attendance contract is reviewed from the register at the end of its period"
    if not ev.ended:
        raise refuse(
            "review an attendance contract",
            rule,
            f"the contract runs to its review on {long_date(contract.review_on)}",
            who,
            at,
        )
    outcome = "improved: no further legal action" if ev.met else "not improved: next steps towards prosecution"
    decision = decide(
        "review an attendance contract",
        True,
        rule,
        f"{ev.describe()}; {outcome}",
        who,
        at,
        possible=ev.possible,
        attended=ev.attended,
        met=ev.met,
    )
    return replace(contract, outcome=outcome, decisions=(*contract.decisions, decision)), ev, decision
