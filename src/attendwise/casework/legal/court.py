"""Education supervision orders, prosecution under s444, parenting orders and School Attendance Orders.

* An **ESO** must be *considered* before any prosecution (EA1996 s447(1)): :func:`consider_eso` records the
  consideration (date, decision-maker, decision, reasons), and :func:`open_prosecution` refuses without one.
* A **prosecution** under s444(1) or s444(1A) is a file tied to its evidence period, which may not overlap a
  period a paid notice covered; its bundle is a checklist (:data:`BUNDLE`: the certificate of attendance from the
  register, the school's s9 statement, exhibits, the letters sent, the interview under caution, the ESO
  consideration), each item with its signatory and date; it is filed only complete, and its hearings and
  outcome are recorded. A warning shows once the earliest plausible 6-month limit nears.
* A **parenting order** may follow a conviction only (Sentencing Code s369), up to 12 months, with a programme
  of up to 3 months.
* A **School Attendance Order** starts with a s437(1) notice for a child not on a school roll, whose period may
  not be shorter than the setting (15 days beginning with the day it is served: E12).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from attendwise.casework.legal.decisions import Decision, decide, long_date, refuse
from attendwise.casework.legal.notices import NoticeStatus, PenaltyNotice
from attendwise.casework.legal.settings import LegalSettings

__all__ = [
    "BUNDLE",
    "OFFENCES",
    "BundleItem",
    "EsoConsideration",
    "ParentingOrder",
    "Prosecution",
    "SaoNotice",
    "consider_eso",
    "file_prosecution",
    "make_parenting_order",
    "open_prosecution",
    "prosecution_deadline",
    "record_bundle_item",
    "record_hearing",
    "record_outcome",
    "serve_sao_notice",
]

OFFENCES = {
    "s444(1)": "failing to secure regular attendance (strict liability)",
    "s444(1A)": "knowing of the failure and failing to act (aggravated)",
}

#: The court bundle's checklist, in the order a file is put together.
BUNDLE = {
    "certificate": "Certificate of attendance for the evidence period, signed by the head teacher (s566)",
    "s9_statement": "The school's section 9 witness statement",
    "exhibits": "Exhibits (letters, replies, contract and review notes, chronology of support)",
    "letters": "Letters sent to the parents",
    "interview": "Interview under caution (PACE) record, or the invitation declined",
    "eso": "The education supervision order consideration (s447)",
}


@dataclass(frozen=True)
class EsoConsideration:
    upn: str
    considered_on: dt.date
    decision_maker: str
    apply: bool
    reasons: str


@dataclass(frozen=True)
class BundleItem:
    key: str
    signatory: str
    dated: dt.date
    note: str = ""


@dataclass(frozen=True)
class Hearing:
    on: dt.date
    court: str
    note: str = ""


@dataclass(frozen=True)
class ParentingOrder:
    parent_id: str
    made_on: dt.date
    months: int
    programme_months: int


@dataclass(frozen=True)
class Prosecution:
    ref: str
    upn: str
    parent_ids: tuple[str, ...]
    offence: str
    evidence_start: dt.date
    evidence_end: dt.date
    eso: EsoConsideration
    bundle: tuple[BundleItem, ...] = ()
    filed_on: dt.date | None = None
    hearings: tuple[Hearing, ...] = ()
    outcome: str = ""
    parenting_orders: tuple[ParentingOrder, ...] = ()
    notice_refs: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()

    def missing(self) -> list[str]:
        """The checklist's items not yet in the bundle (the ESO consideration is there from the start)."""
        have = {i.key for i in self.bundle} | {"eso"}
        return [k for k in BUNDLE if k not in have]


def consider_eso(
    *, upn: str, considered_on: dt.date, decision_maker: str, apply: bool, reasons: str, who: str, at: dt.datetime
) -> tuple[EsoConsideration, Decision]:
    rule = "EA1996 s447(1): before prosecuting, the LA must consider applying for an education supervision order"
    if not decision_maker.strip() or not reasons.strip():
        raise refuse(
            "consider an education supervision order", rule, "name the decision-maker and give reasons", who, at
        )
    eso = EsoConsideration(upn, considered_on, decision_maker.strip(), apply, reasons.strip())
    verdict = "apply for an ESO" if apply else "not to apply for an ESO"
    return eso, decide(
        "consider an education supervision order",
        True,
        rule,
        f"{decision_maker.strip()} decided {verdict}: {reasons.strip()}",
        who,
        at,
    )


def open_prosecution(
    *,
    ref: str,
    upn: str,
    parent_ids: Sequence[str],
    offence: str,
    evidence_start: dt.date,
    evidence_end: dt.date,
    eso: EsoConsideration | None,
    notices: Iterable[PenaltyNotice],
    who: str,
    at: dt.datetime,
) -> tuple[Prosecution, Decision]:
    """Open a prosecution file: refused without a recorded ESO consideration, and for an evidence period that
    overlaps the sessions of a paid notice (payment discharged that liability)."""
    action = f"prosecute under {offence}"
    if offence not in OFFENCES:
        raise refuse(action, "EA1996 s444", f"{offence!r} is not an offence here ({', '.join(OFFENCES)})", who, at)
    rule = "EA1996 s447(1): an education supervision order is considered before any prosecution"
    if eso is None or eso.upn != upn:
        raise refuse(
            action,
            rule,
            "record the education supervision order consideration first",
            who,
            at,
            alternatives=("consider an education supervision order",),
        )
    if eso.apply:
        raise refuse(action, rule, "the decision was to apply for an education supervision order", who, at)
    if evidence_end < evidence_start or not parent_ids:
        raise refuse(action, "EA1996 s444", "an evidence period (first day to last) and a parent are needed", who, at)
    paid = [
        n.ref
        for n in notices
        if n.upn == upn
        and n.status in (NoticeStatus.PAID_LOWER, NoticeStatus.PAID_HIGHER)
        and any(evidence_start <= s.date <= evidence_end for s in n.sessions)
    ]
    if paid:
        overlap = f"the evidence period overlaps the sessions of paid notice(s) {', '.join(paid)}"
        raise refuse(action, "A paid penalty notice discharges liability for its offence", overlap, who, at)
    related = tuple(n.ref for n in notices if n.upn == upn and n.status == NoticeStatus.PROSECUTION)
    decision = decide(
        action,
        True,
        rule,
        f"{OFFENCES[offence]}; evidence period {long_date(evidence_start)} to {long_date(evidence_end)}",
        who,
        at,
        eso_considered_on=eso.considered_on.isoformat(),
    )
    return Prosecution(
        ref,
        upn,
        tuple(parent_ids),
        offence,
        evidence_start,
        evidence_end,
        eso,
        notice_refs=related,
        decisions=(decision,),
    ), decision


def record_bundle_item(
    p: Prosecution, *, key: str, signatory: str, dated: dt.date, who: str, at: dt.datetime, note: str = ""
) -> tuple[Prosecution, Decision]:
    rule = "The court bundle: each document with its signatory and date"
    if key not in BUNDLE or key == "eso":
        raise refuse("add to the bundle", rule, f"{key!r} is not an item of the bundle", who, at)
    if not signatory.strip():
        raise refuse("add to the bundle", rule, "say who signed it", who, at)
    item = BundleItem(key, signatory.strip(), dated, note.strip())
    decision = decide(
        "add to the bundle", True, rule, f"{BUNDLE[key]}: {signatory.strip()}, {long_date(dated)}", who, at
    )
    bundle = (*tuple(i for i in p.bundle if i.key != key), item)
    return replace(p, bundle=bundle, decisions=(*p.decisions, decision)), decision


def prosecution_deadline(p: Prosecution, s: LegalSettings) -> dt.date:
    """The earliest plausible last day to lay the information: N months after the evidence period's first day."""
    months = p.evidence_start.month - 1 + s.prosecution_limit_months
    year, month = p.evidence_start.year + months // 12, months % 12 + 1
    day = min(
        p.evidence_start.day, [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    )
    return dt.date(year, month, day)


def file_prosecution(
    p: Prosecution, s: LegalSettings, *, filed_on: dt.date, who: str, at: dt.datetime
) -> tuple[Prosecution, Decision]:
    """Send the file to the legal team: only with every item of the bundle."""
    rule = "The court bundle is complete before the file goes to the legal team"
    missing = p.missing()
    if missing:
        raise refuse(
            "file the prosecution",
            rule,
            "the bundle lacks: " + "; ".join(BUNDLE[k] for k in missing),
            who,
            at,
            missing=missing,
        )
    deadline = prosecution_deadline(p, s)
    late = f"; warning: past {long_date(deadline)}, 6 months from the evidence period" if filed_on > deadline else ""
    decision = decide(
        "file the prosecution",
        True,
        rule,
        f"filed on {long_date(filed_on)}{late}",
        who,
        at,
        deadline=deadline.isoformat(),
    )
    return replace(p, filed_on=filed_on, decisions=(*p.decisions, decision)), decision


def record_hearing(
    p: Prosecution, *, on: dt.date, court: str, who: str, at: dt.datetime, note: str = ""
) -> tuple[Prosecution, Decision]:
    rule = "A filed prosecution's hearings are recorded"
    if p.filed_on is None:
        raise refuse("record a hearing", rule, "the prosecution has not been filed", who, at)
    decision = decide("record a hearing", True, rule, f"{court.strip()}, {long_date(on)}", who, at)
    return replace(
        p, hearings=(*p.hearings, Hearing(on, court.strip(), note.strip())), decisions=(*p.decisions, decision)
    ), decision


def record_outcome(
    p: Prosecution, s: LegalSettings, *, outcome: str, who: str, at: dt.datetime
) -> tuple[Prosecution, Decision]:
    rule = "A prosecution's outcome is one of the LA's outcome codes"
    if not p.hearings:
        raise refuse("record the outcome", rule, "record the hearing first", who, at)
    if outcome not in s.prosecution_outcomes:
        raise refuse(
            "record the outcome", rule, f"{outcome!r} is not an outcome ({'; '.join(s.prosecution_outcomes)})", who, at
        )
    decision = decide("record the outcome", True, rule, outcome, who, at)
    return replace(p, outcome=outcome, decisions=(*p.decisions, decision)), decision


def make_parenting_order(
    p: Prosecution,
    s: LegalSettings,
    *,
    parent_id: str,
    made_on: dt.date,
    months: int,
    programme_months: int,
    who: str,
    at: dt.datetime,
) -> tuple[Prosecution, Decision]:
    rule = "Sentencing Code s369: a parenting order on conviction, up to 12 months, a programme up to 3"
    action = "record a parenting order"
    if p.outcome not in s.convictions:
        raise refuse(action, rule, "a parenting order follows a conviction only", who, at)
    if parent_id not in p.parent_ids:
        raise refuse(action, rule, "the parent is not a defendant in this prosecution", who, at)
    if not 1 <= months <= s.parenting_order_max_months or not 0 <= programme_months <= s.parenting_programme_max_months:
        raise refuse(
            action,
            rule,
            f"at most {s.parenting_order_max_months} months, with a programme of at most"
            f" {s.parenting_programme_max_months}",
            who,
            at,
        )
    order = ParentingOrder(parent_id, made_on, months, programme_months)
    decision = decide(action, True, rule, f"{months} months, programme {programme_months} months", who, at)
    return replace(p, parenting_orders=(*p.parenting_orders, order), decisions=(*p.decisions, decision)), decision


@dataclass(frozen=True)
class SaoNotice:
    upn: str
    served_on: dt.date
    period_ends: dt.date


def serve_sao_notice(
    *,
    upn: str,
    served_on: dt.date,
    period_ends: dt.date | None,
    on_roll: bool,
    s: LegalSettings,
    who: str,
    at: dt.datetime,
) -> tuple[SaoNotice, Decision]:
    """A s437(1) notice: its period ends no earlier than the setting allows (15 days beginning with service)."""
    rule = "EA1996 s437(1): the period is not less than 15 days beginning with the day the notice is served"
    earliest = s.sao_notice_period.end(served_on)
    if on_roll and s.sao_only_off_roll:
        raise refuse(
            "serve a s437(1) notice",
            "Code of conduct: a School Attendance Order is for a child not on a school roll",
            "the child is on a school roll",
            who,
            at,
        )
    ends = period_ends or earliest
    if ends < earliest:
        raise refuse(
            "serve a s437(1) notice", rule, f"the period must end no earlier than {long_date(earliest)}", who, at
        )
    return SaoNotice(upn, served_on, ends), decide(
        "serve a s437(1) notice", True, rule, f"the parent has until {long_date(ends)}", who, at
    )
