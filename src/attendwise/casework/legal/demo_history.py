"""The demo city's legal pathway history, consistent with its marks and the rules.

Given, for each pupil, the first Friday on which their window met the penalty notice threshold (from
:func:`attendwise.measures.penalty_threshold.penalty_thresholds` over every Friday of the year so far) with the
window's sessions, their parents with parental responsibility and their social care flags, one pupil in three
has a request from their school a few days later: with the support offered (or, for a holiday, the leave
evidence), the warning letter, and for a child in need or on a protection plan the social worker's agreement.
The LA issues a notice to each parent a few days after that, through the rules (so a notice's sequence, amounts
and deadlines are the rules'). Then, as far as the last day of marks allows, most notices are paid within 21 days,
some within 28, and the rest go unpaid past the higher period, when the LA decides: prosecute or withdraw. Every
choice is made from a checksum of the reference, so the same city always has the same history; nothing happens
after the last day of marks (a request made near it is still waiting in the queue).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from attendwise.casework.legal import notices as pn
from attendwise.casework.legal.decisions import LegalRuleError
from attendwise.casework.legal.settings import LegalSettings

__all__ = ["DemoPupil", "LegalHistory", "legal_histories"]


@dataclass(frozen=True)
class DemoPupil:
    enrolment_id: int
    upn: str
    urn: int
    met_on: dt.date
    sessions: tuple[pn.Session, ...]
    parents: tuple[pn.Parent, ...]
    child_in_need: bool = False
    protection_plan: bool = False


@dataclass(frozen=True)
class LegalHistory:
    enrolment_id: int
    request: pn.NoticeRequest
    notices: tuple[pn.PenaltyNotice, ...]


def _pick(text: str, n: int) -> int:
    return zlib.crc32(text.encode()) % n


def _after_issue(
    notice: pn.PenaltyNotice, s: LegalSettings, last_day: dt.date, at: Callable[[dt.date], dt.datetime], officer: str
) -> pn.PenaltyNotice:
    """What happened to a notice by the last day of marks: paid at the lower or higher amount, or unpaid and
    decided, as its checksum says."""
    assert notice.received_on is not None and notice.higher_by is not None
    fate = _pick(notice.ref, 20)
    if fate < 15:
        lower = fate < 12 and notice.lower_by is not None
        paid_on = notice.received_on + dt.timedelta(days=10) if lower else notice.higher_by - dt.timedelta(days=2)
        if paid_on > last_day:
            return notice
        due = pn.amount_due(notice, paid_on)
        assert due is not None
        return pn.record_payment(notice, paid_on=paid_on, amount=due, who=officer, at=at(paid_on))[0]
    decided = notice.higher_by + dt.timedelta(days=3)
    if decided > last_day:
        return notice
    if fate % 2:
        why = "Unpaid, and the school's evidence supports prosecution"
        return pn.decide_unpaid(
            notice, s, action="prosecute", who=officer, at=at(decided), why=why, prosecution_ref=f"PR-{notice.ref}"
        )[0]
    return pn.decide_unpaid(
        notice, s, action="withdraw", who=officer, at=at(decided), why="Unpaid; the school does not wish to prosecute"
    )[0]


def legal_histories(
    pupils: Sequence[DemoPupil],
    s: LegalSettings,
    *,
    last_day: dt.date,
    at: Callable[[dt.date], dt.datetime],
    officer_for: Callable[[int], str],
    school_user_for: Callable[[int], str],
) -> list[LegalHistory]:
    """The requests and notices of the pupils chosen (one in three with a parent to name), as the rules make them."""
    out: list[LegalHistory] = []
    for p in sorted(pupils, key=lambda p: p.enrolment_id):
        named = [x for x in p.parents if x.parental_responsibility and x.address]
        requested = p.met_on + dt.timedelta(days=3)
        if not named or _pick(p.upn, 3) or requested > last_day:
            continue
        school, officer = school_user_for(p.urn), officer_for(p.urn)
        holiday = sum(x.code == "G" for x in p.sessions) >= 10
        first = p.sessions[0].date
        req, _ = pn.request_notice(
            ref=f"R{p.enrolment_id}",
            upn=p.upn,
            school_urn=p.urn,
            sessions=p.sessions,
            parents=named,
            who=school,
            at=at(requested),
            support_offered="" if holiday else "Attendance mentor and an early help assessment",
            letter_sent_on=requested - dt.timedelta(days=2),
            child_in_need=p.child_in_need,
            protection_plan=p.protection_plan,
            leave_application="none made" if holiday else "",
            refusal_letter_on=first - dt.timedelta(days=14) if holiday else None,
            registration_certificate=holiday,
        )
        if p.child_in_need or p.protection_plan:
            req, _ = pn.record_social_worker_agreement(
                req, name="The child's social worker", agreed_on=requested, who=officer, at=at(requested)
            )
        issued_on = requested + dt.timedelta(days=4)
        if issued_on > last_day:
            out.append(LegalHistory(p.enrolment_id, req, ()))
            continue
        refs = [f"PN{p.enrolment_id}-{i}" for i in range(1, len(named) + 1)]
        try:
            req, made, _ = pn.issue_notices(
                req, s, notices=[], issued_on=issued_on, issuer="this LA", who=officer, at=at(issued_on), refs=refs
            )
        except LegalRuleError:
            out.append(LegalHistory(p.enrolment_id, req, ()))  # a check failed: the request waits in the queue
            continue
        out.append(LegalHistory(p.enrolment_id, req, tuple(_after_issue(n, s, last_day, at, officer) for n in made)))
    return out
