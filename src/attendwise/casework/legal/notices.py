"""Penalty notices: requested by the school, checked by the LA, issued to each parent, paid, unpaid or withdrawn.

The lifecycle (domain reference §2.4-2.7), each step a pure function returning the new record and the
:class:`~attendwise.casework.legal.decisions.Decision` that allowed it, or raising
:class:`~attendwise.casework.legal.decisions.LegalRuleError` carrying the refusal:

1. :func:`request_notice`: the school's request, with its evidence (the window's sessions, the support offered
   or why support was not appropriate, the letter sent, each parent to be named);
2. :func:`request_checks`: the LA's checks, each passed or failed (a child in need or on a protection plan needs
   the social worker's agreement recorded first; the leave-of-absence route needs its evidence list and no
   support; sessions an earlier notice used cannot be used again); :func:`record_support`,
   :func:`record_social_worker_agreement` and :func:`record_letter` complete a request;
3. :func:`issue_notices`: one notice to each parent with parental responsibility, its sequence counted per
   parent per child (:func:`notice_sequence`: a third within the limit is refused, with the alternatives);
4. :func:`record_payment` (the amount due on the day: :func:`amount_due`), :func:`decide_unpaid` once the
   higher period has passed (prosecute or withdraw), :func:`withdraw` on a documented ground.

Notices issued by other LAs are read by :func:`read_notices_csv`, so the count follows the family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from attendwise.casework.legal.dates import Span, add_working_days
from attendwise.casework.legal.decisions import Check, Decision, LegalRuleError, decide, long_date, refuse
from attendwise.casework.legal.settings import LegalSettings
from attendwise.core.upn import is_valid_upn
from attendwise.measures.penalty_threshold import LockedSession, main_reason

__all__ = [
    "ALTERNATIVES",
    "NoticeRequest",
    "NoticeStatus",
    "Parent",
    "PenaltyNotice",
    "Route",
    "Session",
    "SocialWorkerAgreement",
    "amount_due",
    "counted_notices",
    "decide_unpaid",
    "decision_due",
    "issue_notices",
    "locked_sessions",
    "notice_sequence",
    "record_letter",
    "record_payment",
    "record_social_worker_agreement",
    "record_support",
    "request_checks",
    "request_notice",
    "withdraw",
    "years_later",
]

#: What an officer may do instead when a notice is refused as a third within the limit (§2.5).
ALTERNATIVES = (
    "prosecution under s444(1) or s444(1A) (consider an education supervision order first)",
    "an application for an education supervision order",
    "an attendance contract",
)


class Route(StrEnum):
    UNAUTHORISED = "unauthorised absence"
    LEAVE = "leave of absence"


class NoticeStatus(StrEnum):
    ISSUED = "issued"
    PAID_LOWER = "paid within the lower period"
    PAID_HIGHER = "paid within the higher period"
    PROSECUTION = "unpaid: prosecution"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Session:
    """A register session the request relies on, with its code."""

    date: dt.date
    session: str
    code: str


@dataclass(frozen=True)
class Parent:
    """A parent the school names (from the pupil's contacts: ``contact_id`` is the contact's)."""

    contact_id: str
    name: str
    address: str = ""
    parental_responsibility: bool = True


@dataclass(frozen=True)
class SocialWorkerAgreement:
    name: str
    agreed_on: dt.date
    recorded_by: str


@dataclass(frozen=True)
class NoticeRequest:
    """A school's request for a penalty notice, with its evidence and every decision on it."""

    ref: str
    upn: str
    school_urn: int
    route: Route
    sessions: tuple[Session, ...]
    parents: tuple[Parent, ...]
    requested_by: str
    requested_at: dt.datetime
    main_reason: str = ""
    support_offered: str = ""
    support_not_appropriate: str = ""
    letter_sent_on: dt.date | None = None
    child_in_need: bool = False
    protection_plan: bool = False
    social_worker: SocialWorkerAgreement | None = None
    #: Leave of absence: the parent's application (or "none made"), the refusal letter, the registration certificate.
    leave_application: str = ""
    refusal_letter_on: dt.date | None = None
    registration_certificate: bool = False
    status: str = "requested"
    decisions: tuple[Decision, ...] = ()

    @property
    def offence_start(self) -> dt.date:
        return min(s.date for s in self.sessions)

    @property
    def offence_end(self) -> dt.date:
        return max(s.date for s in self.sessions)


@dataclass(frozen=True)
class PenaltyNotice:
    """A notice to one parent for one child (the LA's record of it, SI 2007/1867 reg 20)."""

    ref: str
    parent_id: str
    upn: str
    issued_on: dt.date
    sequence: int
    issuer: str
    higher_amount: int
    higher_by: dt.date | None
    lower_amount: int | None = None
    lower_by: dt.date | None = None
    reading: str = "rolling"
    school_urn: int | None = None
    request_ref: str = ""
    reason: str = ""
    method: str = "post"
    posted_on: dt.date | None = None
    received_on: dt.date | None = None
    sessions: tuple[Session, ...] = ()
    status: NoticeStatus = NoticeStatus.ISSUED
    paid_on: dt.date | None = None
    paid_amount: int | None = None
    withdrawn_on: dt.date | None = None
    withdrawal_ground: str = ""
    prosecution_ref: str = ""
    imported: bool = False
    decisions: tuple[Decision, ...] = ()

    @property
    def counts(self) -> bool:
        """Whether it counts towards the limit (every notice but a withdrawn one)."""
        return self.status != NoticeStatus.WITHDRAWN


def years_later(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 1 March (so a notice of 29 Feb counts to 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def _last_within(notice: PenaltyNotice, s: LegalSettings) -> dt.date:
    """The last day "within N years" of the notice: 1 Oct 2024 → 30 Sep 2027."""
    return years_later(notice.issued_on, s.limit_years) - dt.timedelta(days=1)


def counted_notices(
    notices: Iterable[PenaltyNotice], parent_id: str, upn: str, on: dt.date, s: LegalSettings
) -> list[PenaltyNotice]:
    """The notices that count for this parent and child as at ``on``: issued on or after the counting date and
    by ``on``, and not withdrawn; by any issuer (other LAs' notices too), in issue order."""
    return sorted(
        (
            n
            for n in notices
            if n.parent_id == parent_id and n.upn == upn and n.counts and s.counting_from <= n.issued_on <= on
        ),
        key=lambda n: (n.issued_on, n.ref),
    )


def notice_sequence(
    notices: Iterable[PenaltyNotice], parent_id: str, upn: str, on: dt.date, s: LegalSettings
) -> tuple[int, list[PenaltyNotice]]:
    """Which notice a new one to this parent for this child on ``on`` would be (1, 2, or 3: refused), and the
    notices that made it so, read as the ``three_years`` setting says (worked examples E4, E5)."""
    counted = counted_notices(notices, parent_id, upn, on, s)
    if s.three_years == "rolling":
        within = [n for n in counted if on <= _last_within(n, s)]
        return len(within) + 1, within
    period: list[PenaltyNotice] = []
    for n in counted:
        if not period or n.issued_on > _last_within(period[0], s):
            period = [n]
        else:
            period.append(n)
    if not period or on > _last_within(period[0], s):
        return 1, []
    return len(period) + 1, period


# -- the request ---------------------------------------------------------------------------------------------
def request_notice(
    *,
    ref: str,
    upn: str,
    school_urn: int,
    sessions: Sequence[Session],
    parents: Sequence[Parent],
    who: str,
    at: dt.datetime,
    route: Route | str | None = None,
    reason: str | None = None,
    support_offered: str = "",
    support_not_appropriate: str = "",
    letter_sent_on: dt.date | None = None,
    child_in_need: bool = False,
    protection_plan: bool = False,
    leave_application: str = "",
    refusal_letter_on: dt.date | None = None,
    registration_certificate: bool = False,
    holiday_sessions: int = 10,
) -> tuple[NoticeRequest, Decision]:
    """The school's request. The route is leave of absence when ``holiday_sessions`` or more sessions are G (the
    threshold's own rule) unless given; the main reason is the sessions' majority unless given (E18)."""
    rule = "National Framework: a school requests a notice with its evidence; the LA decides"
    if not sessions:
        raise refuse("request a penalty notice", rule, "a request needs the sessions of absence it relies on", who, at)
    if not parents:
        raise refuse("request a penalty notice", rule, "name at least one parent to receive a notice", who, at)
    if not is_valid_upn(upn):
        raise refuse("request a penalty notice", rule, f"{upn!r} is not a valid UPN", who, at)
    codes = [s.code for s in sessions]
    chosen = Route(route) if route else (Route.LEAVE if codes.count("G") >= holiday_sessions else Route.UNAUTHORISED)
    ordered = tuple(sorted(set(sessions), key=lambda s: (s.date, s.session)))
    request = NoticeRequest(
        ref=ref,
        upn=upn,
        school_urn=school_urn,
        route=chosen,
        sessions=ordered,
        parents=tuple(parents),
        requested_by=who,
        requested_at=at,
        main_reason=main_reason(codes) if reason is None else reason,
        support_offered=support_offered.strip(),
        support_not_appropriate=support_not_appropriate.strip(),
        letter_sent_on=letter_sent_on,
        child_in_need=child_in_need,
        protection_plan=protection_plan,
        leave_application=leave_application.strip(),
        refusal_letter_on=refusal_letter_on,
        registration_certificate=registration_certificate,
    )
    decision = decide(
        "request a penalty notice",
        True,
        rule,
        f"{len(ordered)} sessions, {chosen.value}",
        who,
        at,
        sessions=len(ordered),
        route=chosen.value,
        parents=[p.contact_id for p in parents],
    )
    return replace(request, decisions=(decision,)), decision


def _with(request: NoticeRequest, decision: Decision, **changes: object) -> NoticeRequest:
    if request.status != "requested":
        raise LegalRuleError(f"the request is {request.status}: nothing more can be recorded on it", None)
    return replace(request, decisions=(*request.decisions, decision), **changes)  # type: ignore[arg-type]


def record_support(
    request: NoticeRequest, *, who: str, at: dt.datetime, offered: str = "", not_appropriate: str = ""
) -> tuple[NoticeRequest, Decision]:
    """Record the support offered to the family, or why support was not appropriate."""
    offered, not_appropriate = offered.strip(), not_appropriate.strip()
    rule = "National Framework: support first; a notice only where support has not worked or is not appropriate"
    if not (offered or not_appropriate):
        raise refuse("record support", rule, "say what support was offered, or why it was not appropriate", who, at)
    decision = decide("record support", True, rule, offered or not_appropriate, who, at)
    return _with(request, decision, support_offered=offered, support_not_appropriate=not_appropriate), decision


def record_social_worker_agreement(
    request: NoticeRequest, *, name: str, agreed_on: dt.date, who: str, at: dt.datetime
) -> tuple[NoticeRequest, Decision]:
    rule = "Joint decision making: a child in need or on a protection plan needs the social worker's agreement"
    if not name.strip():
        raise refuse("record the social worker's agreement", rule, "name the social worker who agreed", who, at)
    if agreed_on > at.date():
        raise refuse("record the social worker's agreement", rule, "the agreement cannot be after today", who, at)
    agreement = SocialWorkerAgreement(name.strip(), agreed_on, who)
    decision = decide(
        "record the social worker's agreement", True, rule, f"{name.strip()} agreed on {long_date(agreed_on)}", who, at
    )
    return _with(request, decision, social_worker=agreement), decision


def record_letter(
    request: NoticeRequest, *, sent_on: dt.date, who: str, at: dt.datetime
) -> tuple[NoticeRequest, Decision]:
    rule = "National Framework: the parent is warned in writing before a notice is requested"
    if sent_on > at.date():
        raise refuse("record the letter sent", rule, "the letter cannot have been sent after today", who, at)
    decision = decide("record the letter sent", True, rule, f"sent on {long_date(sent_on)}", who, at)
    return _with(request, decision, letter_sent_on=sent_on), decision


def request_checks(
    request: NoticeRequest,
    s: LegalSettings,
    *,
    today: dt.date,
    locked: Iterable[LockedSession] = (),
    threshold_sessions: int = 10,
) -> tuple[Check, ...]:
    """The LA's checks of a request, each passed or failed with what it found (a failed blocking check stops
    the notice; the others only warn)."""
    checks = []
    n = len(request.sessions)
    checks.append(
        Check(
            "threshold",
            "The window's sessions",
            n >= threshold_sessions,
            f"{n} sessions of unauthorised absence ({', '.join(sorted({x.code for x in request.sessions}))})"
            + (
                ""
                if n >= threshold_sessions
                else f": below the threshold of {threshold_sessions}, so the school must show an offence was committed"
            ),
            "National Framework: a notice must be considered at 10 sessions in 10 school weeks",
            blocking=False,
        )
    )
    if request.route == Route.LEAVE:
        checks.append(
            Check(
                "support",
                "Support",
                True,
                "not needed: leave of absence (support first does not apply)",
                "National Framework: support is not appropriate for a term-time holiday",
            )
        )
        evidence = [
            ("leave application (or that none was made)", bool(request.leave_application)),
            ("the school's refusal letter", request.refusal_letter_on is not None),
            ("the registration certificate showing the G codes", request.registration_certificate),
        ]
        missing = [what for what, there in evidence if not there]
        checks.append(
            Check(
                "holiday_evidence",
                "Leave of absence evidence",
                not missing,
                "all provided" if not missing else "missing: " + "; ".join(missing),
                "Code of conduct: a holiday request comes with its evidence, or no notice is issued",
            )
        )
    else:
        given = request.support_offered or request.support_not_appropriate
        checks.append(
            Check(
                "support",
                "Support",
                bool(given),
                (
                    f"offered: {request.support_offered}"
                    if request.support_offered
                    else f"not appropriate: {request.support_not_appropriate}"
                )
                if given
                else "no support recorded, and no reason why support was not appropriate",
                "National Framework: support first; a notice only where support has not worked or is not appropriate",
            )
        )
    checks.append(
        Check(
            "letter",
            "Letter sent",
            request.letter_sent_on is not None,
            f"sent on {long_date(request.letter_sent_on)}" if request.letter_sent_on else "no letter recorded",
            "National Framework: the parent is warned in writing before a notice is requested",
        )
    )
    if request.child_in_need or request.protection_plan:
        who_ = "on a child protection plan" if request.protection_plan else "a child in need"
        sw = request.social_worker
        checks.append(
            Check(
                "social_worker",
                "Social worker's agreement",
                sw is not None,
                f"the child is {who_}: "
                + (
                    f"{sw.name} agreed on {long_date(sw.agreed_on)}"
                    if sw
                    else "the social worker's agreement is not recorded"
                ),
                "Joint decision making: a child in need or on a protection plan needs the social worker's agreement",
            )
        )
    without = [p.name for p in request.parents if not p.parental_responsibility]
    no_address = [p.name for p in request.parents if not p.address.strip()]
    problems = [f"{name} has no parental responsibility" for name in without] + [
        f"{name} has no address" for name in no_address
    ]
    checks.append(
        Check(
            "parents",
            "Parents named",
            not problems,
            "; ".join(problems) or ", ".join(p.name for p in request.parents),
            "A notice goes to each parent liable, with their full name and address",
        )
    )
    taken = {(x.upn, x.date, x.session) for x in locked}
    reused = [x for x in request.sessions if (request.upn, x.date, x.session) in taken]
    checks.append(
        Check(
            "sessions_unused",
            "Sessions not used before",
            not reused,
            f"{len(reused)} sessions already used by an earlier notice or prosecution"
            if reused
            else "no session was used by an earlier notice",
            "Sessions a live or paid notice relied on cannot be used again",
        )
    )
    limit_end = s.issue_time_limit.end(request.offence_end)
    checks.append(
        Check(
            "time_limit",
            "Time limit",
            today <= limit_end,
            f"issue by {long_date(limit_end)} ({s.issue_time_limit.describe()} after the last session)",
            "Issue time limit (a setting that warns, never refuses)",
            blocking=False,
        )
    )
    return tuple(checks)


def _receipt(method: str, posted_on: dt.date, s: LegalSettings) -> dt.date:
    if method == "post":
        return add_working_days(posted_on, s.receipt_working_days)
    if method == "hand":
        return posted_on
    raise LegalRuleError(f"{method!r} is not a way a notice is served (post or hand)")


def _deadline(period: Span, received: dt.date, s: LegalSettings) -> dt.date:
    return period.end(received) - dt.timedelta(days=s.payment_day_offset())


def issue_notices(
    request: NoticeRequest,
    s: LegalSettings,
    *,
    notices: Iterable[PenaltyNotice],
    issued_on: dt.date,
    issuer: str,
    who: str,
    at: dt.datetime,
    refs: Sequence[str],
    method: str = "post",
    posted_on: dt.date | None = None,
    locked: Iterable[LockedSession] = (),
    parents: Sequence[str] | None = None,
) -> tuple[NoticeRequest, list[PenaltyNotice], list[Decision]]:
    """One notice to each parent named (``parents``: their contact ids; default all of the request's), each
    counted per parent per child. Refused as a whole when a blocking check fails; a parent for whom this would be
    a third notice within the limit gets none (the refusal says why and what else may be done); when no parent
    may be sent one, the request is refused."""
    checks = request_checks(request, s, today=issued_on, locked=locked)
    failed = [c for c in checks if c.blocking and not c.passed]
    if failed:
        reason = "; ".join(f"{c.label}: {c.detail}" for c in failed)
        raise refuse(
            "issue penalty notices",
            failed[0].rule,
            f"the request fails its checks: {reason}",
            who,
            at,
            failed=[c.key for c in failed],
        )
    chosen = [p for p in request.parents if parents is None or p.contact_id in parents]
    if not chosen:
        raise refuse("issue penalty notices", "A notice goes to each parent liable", "choose a parent", who, at)
    if len(refs) < len(chosen):
        raise LegalRuleError("give a reference for each notice")
    existing = list(notices)
    posted = posted_on or issued_on
    received = _receipt(method, posted, s)
    made, decisions = [], []
    for parent, ref in zip(chosen, refs, strict=False):
        sequence, counted = notice_sequence(existing, parent.contact_id, request.upn, issued_on, s)
        counted_refs = [n.ref for n in counted]
        limit_rule = (
            f"SI 2024/210: at most two notices to a parent for a child within {s.limit_years} years"
            f" ({s.three_years} reading), counted from {long_date(s.counting_from)}; withdrawn ones do not count"
        )
        if sequence > 2:
            decisions.append(
                decide(
                    f"issue a penalty notice to {parent.name}",
                    False,
                    limit_rule,
                    f"this would be a third notice to {parent.name} for this child within {s.limit_years} years"
                    f" (notices {', '.join(counted_refs)}): alternative action should be taken",
                    who,
                    at,
                    alternatives=ALTERNATIVES,
                    parent=parent.contact_id,
                    counted=counted_refs,
                    reading=s.three_years,
                )
            )
            continue
        first = sequence == 1
        notice = PenaltyNotice(
            ref=ref,
            parent_id=parent.contact_id,
            upn=request.upn,
            issued_on=issued_on,
            sequence=sequence,
            issuer=issuer,
            lower_amount=s.lower_amount if first else None,
            lower_by=_deadline(s.lower_period, received, s) if first else None,
            higher_amount=s.higher_amount if first else s.second_amount,
            higher_by=_deadline(s.higher_period, received, s),
            reading=s.three_years,
            school_urn=request.school_urn,
            request_ref=request.ref,
            reason=request.main_reason,
            method=method,
            posted_on=posted,
            received_on=received,
            sessions=request.sessions,
        )
        amounts = (
            (
                f"£{notice.lower_amount} by {long_date(notice.lower_by)} or £{notice.higher_amount} by "  # type: ignore[arg-type]
                f"{long_date(notice.higher_by)}"
            )
            if first
            # type: ignore[arg-type]
            else (f"£{notice.higher_amount} flat by {long_date(notice.higher_by)}")
        )  # type: ignore[arg-type]
        decision = decide(
            f"issue a penalty notice to {parent.name}",
            True,
            limit_rule,
            f"{'first' if first else 'second'} notice to {parent.name} for this child: {amounts}"
            f" (received {long_date(received)})",
            who,
            at,
            parent=parent.contact_id,
            sequence=sequence,
            counted=counted_refs,
            reading=s.three_years,
            received_on=received.isoformat(),
        )
        notice = replace(notice, decisions=(decision,))
        made.append(notice)
        existing.append(notice)
        decisions.append(decision)
    status = "issued" if made else "refused"
    closing = decide(
        "decide the request",
        bool(made),
        decisions[0].rule,
        f"{len(made)} notice(s) issued" if made else decisions[-1].reason,
        who,
        at,
        alternatives=() if made else ALTERNATIVES,
    )
    done = replace(request, status=status, decisions=(*request.decisions, *decisions, closing))
    if not made:
        raise LegalRuleError(closing.reason, closing)
    return done, made, decisions


# -- payment, non-payment and withdrawal ---------------------------------------------------------------------
def amount_due(notice: PenaltyNotice, on: dt.date) -> int | None:
    """What the parent owes if they pay on ``on``; ``None`` once the higher period has passed (or it is closed)."""
    if notice.status != NoticeStatus.ISSUED or notice.higher_by is None:
        return None
    if notice.lower_amount is not None and notice.lower_by is not None and on <= notice.lower_by:
        return notice.lower_amount
    return notice.higher_amount if on <= notice.higher_by else None


def record_payment(
    notice: PenaltyNotice, *, paid_on: dt.date, amount: int, who: str, at: dt.datetime
) -> tuple[PenaltyNotice, Decision]:
    rule = "SI 2024/210: a first notice £80 within 21 days of receipt or £160 within 28; a second £160 within 28"
    action = "record a payment"
    if notice.status != NoticeStatus.ISSUED:
        raise refuse(action, rule, f"the notice is {notice.status.value}: no payment can be taken", who, at)
    if paid_on < notice.issued_on or paid_on > at.date():
        raise refuse(action, rule, "the payment date must be between the notice's issue and today", who, at)
    due = amount_due(notice, paid_on)
    if due is None:
        raise refuse(
            action,
            rule,
            f"the notice was due by {long_date(notice.higher_by)}: unpaid, the LA must"  # type: ignore[arg-type]
            " prosecute or withdraw it",
            who,
            at,
        )
    if amount != due:
        raise refuse(action, rule, f"£{due} was due on {long_date(paid_on)}, not £{amount}", who, at)
    lower = notice.lower_by is not None and paid_on <= notice.lower_by
    status = NoticeStatus.PAID_LOWER if lower else NoticeStatus.PAID_HIGHER
    decision = decide(
        action,
        True,
        rule,
        f"£{amount} paid on {long_date(paid_on)}: {status.value}",
        who,
        at,
        amount=amount,
        paid_on=paid_on.isoformat(),
    )
    return replace(
        notice, status=status, paid_on=paid_on, paid_amount=amount, decisions=(*notice.decisions, decision)
    ), decision


def decision_due(notice: PenaltyNotice, today: dt.date) -> bool:
    """An unpaid notice whose higher period has passed: the LA must now prosecute or withdraw it."""
    return notice.status == NoticeStatus.ISSUED and notice.higher_by is not None and today > notice.higher_by


def decide_unpaid(
    notice: PenaltyNotice,
    s: LegalSettings,
    *,
    action: str,
    who: str,
    at: dt.datetime,
    why: str,
    prosecution_ref: str = "",
    ground: str = "unpaid and no proceedings started or contemplated",
) -> tuple[PenaltyNotice, Decision]:
    """Prosecute or withdraw an unpaid notice, once its higher period has passed."""
    rule = "EA1996 s444B and SI 2024/210: unpaid after the higher period, the LA must prosecute or withdraw"
    what = "decide an unpaid notice"
    if not decision_due(notice, at.date()):
        raise refuse(
            what,
            rule,
            "the notice is not unpaid past its higher period"
            + (f" (due by {long_date(notice.higher_by)})" if notice.higher_by else ""),
            who,
            at,
        )
    if not why.strip():
        raise refuse(what, rule, "say why", who, at)
    if action == "withdraw":
        return withdraw(notice, s, ground=ground, who=who, at=at, detail=why)
    if action != "prosecute":
        raise refuse(what, rule, f"{action!r}: an unpaid notice is prosecuted or withdrawn", who, at)
    decision = decide(what, True, rule, f"prosecute: {why.strip()}", who, at, prosecution_ref=prosecution_ref)
    return replace(
        notice,
        status=NoticeStatus.PROSECUTION,
        prosecution_ref=prosecution_ref,
        decisions=(*notice.decisions, decision),
    ), decision


def withdraw(
    notice: PenaltyNotice, s: LegalSettings, *, ground: str, who: str, at: dt.datetime, detail: str = ""
) -> tuple[PenaltyNotice, Decision]:
    """Withdraw a notice on one of the settings' grounds; it then no longer counts (the parent is told in writing
    and any money is returned)."""
    rule = "SI 2007/1867 reg 19 and the code of conduct: a notice is withdrawn on a documented ground"
    what = "withdraw a notice"
    if notice.status in (NoticeStatus.PAID_LOWER, NoticeStatus.PAID_HIGHER, NoticeStatus.WITHDRAWN):
        raise refuse(what, rule, f"the notice is {notice.status.value}: it cannot be withdrawn", who, at)
    if ground not in s.withdrawal_grounds:
        raise refuse(what, rule, f"{ground!r} is not a ground (they are: {'; '.join(s.withdrawal_grounds)})", who, at)
    decision = decide(
        what,
        True,
        rule,
        f"withdrawn: {ground}" + (f" ({detail.strip()})" if detail.strip() else ""),
        who,
        at,
        ground=ground,
    )
    return replace(
        notice,
        status=NoticeStatus.WITHDRAWN,
        withdrawn_on=at.date(),
        withdrawal_ground=ground,
        decisions=(*notice.decisions, decision),
    ), decision


def locked_sessions(notices: Iterable[PenaltyNotice]) -> list[LockedSession]:
    """The sessions live, paid or prosecuted notices relied on, which the threshold may not count again."""
    return [
        LockedSession(n.upn, x.date, x.session)
        for n in notices
        if n.status != NoticeStatus.WITHDRAWN
        for x in n.sessions
    ]
