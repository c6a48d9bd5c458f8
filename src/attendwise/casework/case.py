"""A case's state, and how it follows from its events: ``replay(events)`` is a pure fold of :func:`apply`.

Nothing here reads a clock, a database or a setting: the same events always give the same case, so
the case store keeps only events and anyone can rebuild a case (or check a projection) from them.
:func:`apply` checks only that an event can follow the case as it stands (numbered next, on an open
case, about an intervention, offer or member the case has); the rules a person meets when they record
something, with messages in words, are :mod:`attendwise.casework.commands`'.

Lists in the state are in a fixed order (interventions by date, then the order they were logged in
their own list; members by start date), so events about different things (a home visit logged, a
member joining the Team Around the Family) give the same case in either order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from attendwise.casework.events import CaseEvent, EventKind, OpeningReason
from attendwise.casework.stages import AttendanceFigures
from attendwise.core.errors import AttendwiseError

__all__ = [
    "Case",
    "CasePupil",
    "CaseRuleError",
    "Closure",
    "Document",
    "EarlyHelpOffer",
    "FamilySupportReferral",
    "Intervention",
    "InterventionReview",
    "StageChange",
    "TafMember",
    "apply",
    "long_date",
    "replay",
]


class CaseRuleError(AttendwiseError):
    """A change that cannot be made to the case as it stands (the message says why, in words)."""


def long_date(day: dt.date) -> str:
    """``2 December 2024``: a date as the case's messages and timeline write it."""
    return f"{day.day} {day:%B %Y}"


def _date(value: object) -> dt.date | None:
    return None if value in (None, "") else dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class CasePupil:
    """The pupil a case is about: the enrolment it was opened for (and so its school), and the UPN."""

    enrolment_id: int
    upn: str
    urn: int


@dataclass(frozen=True)
class StageChange:
    """A stage set (at opening, or changed): who decided, when, why, and what attendwise had suggested."""

    stage: str
    previous: str | None
    at: dt.datetime
    who: str
    why: str
    #: The stage the figures suggested when the decision was made (``None``: no suggestion was shown).
    suggested: str | None = None
    figures: AttendanceFigures | None = None


@dataclass(frozen=True)
class Document:
    """A stored file an intervention holds (a letter): its name, where the case store keeps it, its type.

    A letter is kept twice, as the PDF the parent is sent (the document) and as the Word file it was merged
    into (``docx_storage_name``, empty when there is only one file).
    """

    name: str
    storage_name: str
    content_type: str
    #: The letter template it was merged from, if any.
    template: str = ""
    #: The same letter as a Word file, where the case store keeps it (a letter made as PDF too).
    docx_storage_name: str = ""
    #: Who the letter was written to (a parent's contact id), if anyone in particular.
    contact_id: str = ""

    @classmethod
    def from_payload(cls, value: Mapping[str, Any] | None) -> Document | None:
        if not value:
            return None
        return cls(
            str(value["name"]),
            str(value["storage_name"]),
            str(value["content_type"]),
            str(value.get("template", "")),
            str(value.get("docx_storage_name", "")),
            str(value.get("contact_id", "")),
        )

    def to_payload(self) -> dict[str, str]:
        out = {
            "name": self.name,
            "storage_name": self.storage_name,
            "content_type": self.content_type,
            "template": self.template,
        }
        # Only what a letter has, so a document's record from before letters had them reads back the same.
        if self.docx_storage_name:
            out["docx_storage_name"] = self.docx_storage_name
        if self.contact_id:
            out["contact_id"] = self.contact_id
        return out


@dataclass(frozen=True)
class InterventionReview:
    date: dt.date
    who: str
    outcome: str
    next_review_date: dt.date | None
    ended: bool


@dataclass(frozen=True)
class Intervention:
    """One intervention logged: its type, when, who did it, what came of it, what is next."""

    ref: int
    type: str
    date: dt.date
    by: str
    notes: str
    outcome: str
    next_step: str
    recorded_by: str
    recorded_at: dt.datetime
    #: When it is next reviewed (a part-time timetable always has one until it ends).
    review_date: dt.date | None = None
    #: A part-time timetable's planned end (the date the pupil is back full time).
    end_date: dt.date | None = None
    ended_on: dt.date | None = None
    reviews: tuple[InterventionReview, ...] = ()
    document: Document | None = None

    @property
    def ended(self) -> bool:
        return self.ended_on is not None


@dataclass(frozen=True)
class EarlyHelpOffer:
    """An Early Help Assessment offered to the family, and their answer once given."""

    ref: int
    offered_on: dt.date
    offered_by: str
    recorded_by: str
    #: The assessment's reference in the LA's own early help system, if it holds it.
    reference: str = ""
    answer: str | None = None  # "accepted" or "declined"
    answered_on: dt.date | None = None
    answer_recorded_by: str = ""
    answer_why: str = ""

    @property
    def status(self) -> str:
        """``offered``, ``accepted`` or ``declined``."""
        return self.answer or "offered"


@dataclass(frozen=True)
class TafMember:
    """A member of the Team Around the Family: the agency, the person and their role."""

    ref: int
    agency: str
    person: str
    role: str
    start: dt.date
    added_by: str
    end: dt.date | None = None

    @property
    def current(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class FamilySupportReferral:
    ref: int
    referred_on: dt.date
    to: str
    referred_by: str
    outcome: str = ""
    outcome_on: dt.date | None = None


@dataclass(frozen=True)
class Closure:
    on: dt.date
    at: dt.datetime
    who: str
    outcome: str
    why: str


@dataclass(frozen=True)
class Case:
    """Everything a case holds, as its events leave it."""

    pupil: CasePupil
    opened_on: dt.date
    opened_at: dt.datetime
    opened_by: str
    opening_reason: OpeningReason
    opening_why: str
    stage: str
    #: Who leads the plan, as a key of the stage model's ``[lead]`` table (``school``, ``la_officer``...).
    lead: str
    version: int
    changed_at: dt.datetime
    changed_by: str
    #: Anything more about the opening: the TSM action or early-warning reasons it came from.
    opening_detail: str = ""
    stage_history: tuple[StageChange, ...] = ()
    #: The named lead practitioner, the school's attendance champion and the LA officer (a user name).
    lead_practitioner: str = ""
    attendance_champion: str = ""
    la_officer: str = ""
    review_date: dt.date | None = None
    interventions: tuple[Intervention, ...] = ()
    early_help: tuple[EarlyHelpOffer, ...] = ()
    taf: tuple[TafMember, ...] = ()
    criteria_met: tuple[str, ...] = ()
    criteria_recorded_on: dt.date | None = None
    family_support: tuple[FamilySupportReferral, ...] = ()
    family_case: int | None = None
    closure: Closure | None = None

    @property
    def is_open(self) -> bool:
        return self.closure is None

    @property
    def current_offer(self) -> EarlyHelpOffer | None:
        """The latest Early Help Assessment offer, answered or not."""
        return self.early_help[-1] if self.early_help else None

    @property
    def current_taf(self) -> tuple[TafMember, ...]:
        return tuple(m for m in self.taf if m.current)

    def intervention(self, ref: int) -> Intervention:
        for i in self.interventions:
            if i.ref == ref:
                return i
        raise CaseRuleError(f"the case has no intervention {ref}")

    def taf_member(self, ref: int) -> TafMember:
        for m in self.taf:
            if m.ref == ref:
                return m
        raise CaseRuleError(f"the case has no Team Around the Family member {ref}")

    def next_ref(self, items: Iterable[Any]) -> int:
        """The reference a new entry of a list gets: one more than the list's largest."""
        return max((i.ref for i in items), default=0) + 1


# -- the fold --------------------------------------------------------------------------------------------
def replay(events: Iterable[CaseEvent], start: Case | None = None) -> Case:
    """The case its events leave, applied one by one to ``start`` (none: the first event opens it).

    Raises:
        CaseRuleError: an event that cannot follow the ones before it.
    """
    case = start
    for event in events:
        case = apply(case, event)
    if case is None:
        raise CaseRuleError("a case needs at least the event that opens it")
    return case


def apply(case: Case | None, event: CaseEvent) -> Case:
    """The case after ``event``.

    Raises:
        CaseRuleError: the event is not the case's next (by number), comes after the case closed, or
            is about an intervention, offer or member the case does not have.
    """
    if event.kind == EventKind.OPENED:
        if case is not None or event.seq != 1:
            raise CaseRuleError("only the first event of a case opens it")
        return _opened(event)
    if case is None:
        raise CaseRuleError("a case's first event must open it")
    if event.seq != case.version + 1:
        raise CaseRuleError(f"event {event.seq} cannot follow event {case.version} of the case")
    if not case.is_open:
        raise CaseRuleError("the case is closed: nothing more can be recorded on it")
    changed = _APPLY[event.kind](case, event, event.payload)
    return replace(changed, version=event.seq, changed_at=event.at, changed_by=event.who)


def _figures(value: Mapping[str, Any] | None) -> AttendanceFigures | None:
    if not value:
        return None
    return AttendanceFigures(str(value["period"]), int(value["attended"]), int(value["possible"]))


def _opened(e: CaseEvent) -> Case:
    p = e.payload
    stage = str(p["stage"])
    return Case(
        pupil=CasePupil(int(p["enrolment_id"]), str(p["upn"]), int(p["urn"])),
        opened_on=_date(p["opened_on"]) or e.at.date(),
        opened_at=e.at,
        opened_by=e.who,
        opening_reason=OpeningReason(p["reason"]),
        opening_why=e.why,
        opening_detail=str(p.get("detail", "")),
        stage=stage,
        lead=str(p["lead"]),
        stage_history=(StageChange(stage, None, e.at, e.who, e.why, p.get("suggested"), _figures(p.get("figures"))),),
        lead_practitioner=str(p.get("lead_practitioner", "")),
        attendance_champion=str(p.get("attendance_champion", "")),
        la_officer=str(p.get("la_officer", "")),
        review_date=_date(p.get("review_date")),
        version=1,
        changed_at=e.at,
        changed_by=e.who,
    )


def _stage_changed(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    change = StageChange(
        str(p["stage"]), case.stage, e.at, e.who, e.why, p.get("suggested"), _figures(p.get("figures"))
    )
    return replace(
        case,
        stage=change.stage,
        lead=str(p.get("lead") or case.lead),
        stage_history=(*case.stage_history, change),
    )


_PEOPLE = ("lead", "lead_practitioner", "attendance_champion", "la_officer")


def _people_set(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    return replace(case, **{k: str(p[k]) for k in _PEOPLE if k in p})


def _review_set(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    return replace(case, review_date=_date(p.get("review_date")))


def _sorted_interventions(items: Iterable[Intervention]) -> tuple[Intervention, ...]:
    return tuple(sorted(items, key=lambda i: (i.date, i.ref)))


def _intervention_logged(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    ref = int(p["ref"])
    if any(i.ref == ref for i in case.interventions):
        raise CaseRuleError(f"the case already has an intervention {ref}")
    item = Intervention(
        ref=ref,
        type=str(p["type"]),
        date=_date(p["date"]),  # type: ignore[arg-type]
        by=str(p.get("by", "")),
        notes=str(p.get("notes", "")),
        outcome=str(p.get("outcome", "")),
        next_step=str(p.get("next_step", "")),
        recorded_by=e.who,
        recorded_at=e.at,
        review_date=_date(p.get("review_date")),
        end_date=_date(p.get("end_date")),
        document=Document.from_payload(p.get("document")),
    )
    return replace(case, interventions=_sorted_interventions([*case.interventions, item]))


def _intervention_reviewed(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    item = case.intervention(int(p["ref"]))
    if item.ended:
        raise CaseRuleError(f"intervention {item.ref} has ended: it has no more reviews")
    on = _date(p["date"])
    assert on is not None
    review = InterventionReview(
        on, e.who, str(p.get("outcome", "")), _date(p.get("next_review_date")), bool(p["ended"])
    )
    updated = replace(
        item,
        reviews=(*item.reviews, review),
        review_date=None if review.ended else review.next_review_date,
        ended_on=on if review.ended else None,
        outcome=review.outcome or item.outcome,
    )
    return replace(
        case, interventions=_sorted_interventions([updated if i.ref == item.ref else i for i in case.interventions])
    )


def _eha_offered(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    current = case.current_offer
    if current is not None and current.answer in (None, "accepted"):
        raise CaseRuleError("an Early Help Assessment is already offered and not declined")
    offer = EarlyHelpOffer(
        ref=int(p["ref"]),
        offered_on=_date(p["date"]),  # type: ignore[arg-type]
        offered_by=str(p.get("offered_by") or e.who),
        recorded_by=e.who,
        reference=str(p.get("reference", "")),
    )
    return replace(case, early_help=(*case.early_help, offer))


def _eha_answered(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    current = case.current_offer
    if current is None or current.ref != int(p["ref"]) or current.answer is not None:
        raise CaseRuleError("there is no Early Help Assessment offer waiting for an answer")
    answered = replace(
        current,
        answer=str(p["answer"]),
        answered_on=_date(p["date"]),
        answer_recorded_by=e.who,
        answer_why=e.why,
        reference=str(p.get("reference") or current.reference),
    )
    return replace(case, early_help=(*case.early_help[:-1], answered))


def _sorted_taf(items: Iterable[TafMember]) -> tuple[TafMember, ...]:
    return tuple(sorted(items, key=lambda m: (m.start, m.ref)))


def _taf_member_added(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    ref = int(p["ref"])
    if any(m.ref == ref for m in case.taf):
        raise CaseRuleError(f"the case already has a Team Around the Family member {ref}")
    member = TafMember(
        ref,
        str(p["agency"]),
        str(p["person"]),
        str(p["role"]),
        _date(p["start"]),
        e.who,  # type: ignore[arg-type]
    )
    return replace(case, taf=_sorted_taf([*case.taf, member]))


def _taf_member_left(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    member = case.taf_member(int(p["ref"]))
    if not member.current:
        raise CaseRuleError(f"{member.person} has already left the Team Around the Family")
    left = replace(member, end=_date(p["date"]))
    return replace(case, taf=_sorted_taf([left if m.ref == member.ref else m for m in case.taf]))


def _criteria_recorded(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    return replace(case, criteria_met=tuple(sorted(set(p["criteria"]))), criteria_recorded_on=_date(p["date"]))


def _family_support_referred(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    referral = FamilySupportReferral(int(p["ref"]), _date(p["date"]), str(p["to"]), e.who)  # type: ignore[arg-type]
    return replace(case, family_support=(*case.family_support, referral))


def _family_support_outcome(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    ref = int(p["ref"])
    if not any(r.ref == ref for r in case.family_support):
        raise CaseRuleError(f"the case has no family support referral {ref}")
    done = tuple(
        replace(r, outcome=str(p["outcome"]), outcome_on=_date(p["date"])) if r.ref == ref else r
        for r in case.family_support
    )
    return replace(case, family_support=done)


def _family_linked(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    family = p.get("family_case")
    return replace(case, family_case=None if family is None else int(family))


def _school_changed(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    """The case follows the pupil to the enrolment they are on the roll of now (and so to its school)."""
    return replace(case, pupil=CasePupil(int(p["enrolment_id"]), case.pupil.upn, int(p["urn"])))


def _note(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    return case


def _closed(case: Case, e: CaseEvent, p: Mapping[str, Any]) -> Case:
    on = _date(p["date"])
    assert on is not None
    return replace(case, closure=Closure(on, e.at, e.who, str(p["outcome"]), e.why))


_APPLY: dict[EventKind, Callable[[Case, CaseEvent, Mapping[str, Any]], Case]] = {
    EventKind.STAGE_CHANGED: _stage_changed,
    EventKind.PEOPLE_SET: _people_set,
    EventKind.REVIEW_SET: _review_set,
    EventKind.INTERVENTION_LOGGED: _intervention_logged,
    EventKind.INTERVENTION_REVIEWED: _intervention_reviewed,
    EventKind.EHA_OFFERED: _eha_offered,
    EventKind.EHA_ANSWERED: _eha_answered,
    EventKind.TAF_MEMBER_ADDED: _taf_member_added,
    EventKind.TAF_MEMBER_LEFT: _taf_member_left,
    EventKind.CRITERIA_RECORDED: _criteria_recorded,
    EventKind.FAMILY_SUPPORT_REFERRED: _family_support_referred,
    EventKind.FAMILY_SUPPORT_OUTCOME: _family_support_outcome,
    EventKind.FAMILY_LINKED: _family_linked,
    EventKind.SCHOOL_CHANGED: _school_changed,
    EventKind.NOTE: _note,
    EventKind.CLOSED: _closed,
}
