"""Recording something on a case: each function checks the rules and returns the event to append.

A command never changes a case; it returns the :class:`~attendwise.casework.events.CaseEvent` that
records the change, numbered next after the case's events, or raises :class:`CaseRuleError` saying in
words why it cannot be recorded. The case store appends the event (refusing it if someone else has
appended one with that number first) and :func:`attendwise.casework.case.apply` gives the new state.

Every command takes ``who`` (the user name of the person recording), ``at`` (when, timezone-aware) and
where it is a decision (opening, a stage, closing) ``why``, which may not be empty: attendwise suggests,
a person decides and says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from attendwise.casework.case import Case, CasePupil, CaseRuleError, Document, apply, long_date
from attendwise.casework.events import CaseEvent, EventKind, OpeningReason
from attendwise.casework.settings import CaseworkConfig
from attendwise.casework.stages import AttendanceFigures, StageModel, StageModelError, StageSuggestion

__all__ = [
    "EHA_ANSWERS",
    "add_note",
    "add_taf_member",
    "answer_eha",
    "change_stage",
    "close_case",
    "end_taf_membership",
    "follow_pupil",
    "link_family",
    "log_intervention",
    "offer_eha",
    "open_case",
    "record_criteria",
    "record_family_support_outcome",
    "refer_family_support",
    "review_intervention",
    "set_people",
    "set_review",
]

EHA_ANSWERS = ("accepted", "declined")


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, message: str) -> str:
    text = _text(value)
    if not text:
        raise CaseRuleError(message)
    return text


def _when(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise CaseRuleError("a case event's time must say its timezone")
    return at


def _not_after(day: dt.date, at: dt.datetime, what: str) -> None:
    if day > at.date():
        raise CaseRuleError(f"{what} cannot be after today ({long_date(at.date())})")


def _figures(figures: AttendanceFigures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    return {"period": figures.period, "attended": figures.attended, "possible": figures.possible}


def _next(case: Case, kind: EventKind, who: str, at: dt.datetime, why: str, payload: Mapping[str, Any]) -> CaseEvent:
    """The case's next event; checked against the fold, so a command never returns one it would refuse."""
    if not case.is_open:
        raise CaseRuleError(f"the case was closed on {long_date(case.closure.on)}: nothing more can be recorded on it")  # type: ignore[union-attr]
    event = CaseEvent(case.version + 1, kind, _required(who, "say who is recording this"), _when(at), why, payload)
    apply(case, event)
    return event


# -- opening and stages ------------------------------------------------------------------------------------
def open_case(
    pupil: CasePupil,
    model: StageModel,
    config: CaseworkConfig,
    *,
    reason: OpeningReason | str,
    stage: str,
    who: str,
    at: dt.datetime,
    why: str,
    detail: str = "",
    suggestion: StageSuggestion | None = None,
    review_date: dt.date | None = None,
    la_officer: str = "",
    lead_practitioner: str = "",
    attendance_champion: str = "",
) -> CaseEvent:
    """The event that opens a case for ``pupil`` at ``stage``.

    The review date defaults to ``review_weeks`` after today; the lead is the stage's.
    """
    try:
        chosen = model.stage(stage)
        opening = OpeningReason(reason)
    except (StageModelError, ValueError) as exc:
        raise CaseRuleError(
            str(exc) if isinstance(exc, StageModelError) else f"{reason!r} is not a reason a case opens for"
        ) from None
    why = _required(why, "Say why the case is being opened")
    today = _when(at).date()
    review = review_date or today + dt.timedelta(weeks=config.settings.review_weeks)
    if review < today:
        raise CaseRuleError("The review date must be today or later")
    payload = {
        "enrolment_id": pupil.enrolment_id,
        "upn": pupil.upn,
        "urn": pupil.urn,
        "reason": opening.value,
        "detail": _text(detail),
        "stage": chosen.key,
        "lead": chosen.lead,
        "suggested": suggestion.suggested.key if suggestion else None,
        "figures": _figures(suggestion.figures) if suggestion else None,
        "opened_on": today.isoformat(),
        "review_date": review.isoformat(),
        "la_officer": _text(la_officer),
        "lead_practitioner": _text(lead_practitioner),
        "attendance_champion": _text(attendance_champion),
    }
    return CaseEvent(1, EventKind.OPENED, _required(who, "say who is recording this"), at, why, payload)


def change_stage(
    case: Case,
    model: StageModel,
    config: CaseworkConfig,
    *,
    stage: str,
    who: str,
    at: dt.datetime,
    why: str,
    suggestion: StageSuggestion | None = None,
) -> CaseEvent:
    """Move the case to ``stage``, whatever was suggested: the suggestion shown is kept beside the decision.

    The lead becomes the new stage's (its family support lead if the family qualifies for intensive support).
    """
    try:
        chosen = model.stage(stage)
    except StageModelError as exc:
        raise CaseRuleError(str(exc)) from None
    if chosen.key == case.stage:
        raise CaseRuleError(f"The case is already at {chosen.label.lower()}")
    why = _required(why, "Say why the stage changes")
    qualifies = config.qualifies_for_intensive_support(len(case.criteria_met))
    payload = {
        "stage": chosen.key,
        "previous": case.stage,
        "lead": chosen.lead_for(qualifies),
        "suggested": suggestion.suggested.key if suggestion else None,
        "figures": _figures(suggestion.figures) if suggestion else None,
    }
    return _next(case, EventKind.STAGE_CHANGED, who, at, why, payload)


def set_people(
    case: Case,
    model: StageModel,
    *,
    who: str,
    at: dt.datetime,
    why: str = "",
    lead: str | None = None,
    lead_practitioner: str | None = None,
    attendance_champion: str | None = None,
    la_officer: str | None = None,
) -> CaseEvent:
    """Name the lead (a key of the stage model's leads), the lead practitioner, the champion or the LA officer.

    Only what changes is recorded; changing nothing is refused.
    """
    if lead is not None and lead not in model.leads:
        raise CaseRuleError(f"{lead!r} is not a lead in {model.name} (they are {', '.join(model.leads)})")
    asked = {
        "lead": lead,
        "lead_practitioner": lead_practitioner,
        "attendance_champion": attendance_champion,
        "la_officer": la_officer,
    }
    changes = {k: _text(v) for k, v in asked.items() if v is not None and _text(v) != getattr(case, k)}
    if not changes:
        raise CaseRuleError("Nothing has changed: the case already names these people")
    return _next(case, EventKind.PEOPLE_SET, who, at, _text(why), changes)


def set_review(case: Case, *, review_date: dt.date, who: str, at: dt.datetime, why: str = "") -> CaseEvent:
    """Set the date the case is next reviewed."""
    if review_date < case.opened_on:
        raise CaseRuleError(
            f"The review date must be on or after the day the case opened ({long_date(case.opened_on)})"
        )
    if review_date == case.review_date:
        raise CaseRuleError(f"The review is already set for {long_date(review_date)}")
    return _next(case, EventKind.REVIEW_SET, who, at, _text(why), {"review_date": review_date.isoformat()})


# -- interventions -----------------------------------------------------------------------------------------
def log_intervention(
    case: Case,
    config: CaseworkConfig,
    *,
    type: str,
    date: dt.date,
    who: str,
    at: dt.datetime,
    by: str = "",
    notes: str = "",
    outcome: str = "",
    next_step: str = "",
    review_date: dt.date | None = None,
    end_date: dt.date | None = None,
    document: Document | None = None,
) -> CaseEvent:
    """Log an intervention done on ``date`` by ``by`` (the recorder if not named).

    A part-time timetable (a ``timetable`` type) needs its planned end and a review date on or before
    it; only a ``document`` type (a letter) holds a stored document.
    """
    try:
        kind = config.intervention_type(type)
    except Exception as exc:
        raise CaseRuleError(str(exc)) from None
    _not_after(date, at, "The date it was done")
    if kind.timetable:
        if end_date is None:
            raise CaseRuleError("Give the date the part-time timetable ends (when the pupil is back full time)")
        if review_date is None:
            raise CaseRuleError("Give the date the part-time timetable is reviewed")
    if end_date is not None and end_date < date:
        raise CaseRuleError("The end date must be on or after the date it started")
    if review_date is not None and review_date < date:
        raise CaseRuleError("The review date must be on or after the date it was done")
    if kind.timetable and review_date is not None and end_date is not None and review_date > end_date:
        raise CaseRuleError("A part-time timetable is reviewed on or before its end date")
    if document is not None and not kind.document:
        raise CaseRuleError(f"A {kind.name.lower()} does not hold a document")
    payload = {
        "ref": case.next_ref(case.interventions),
        "type": kind.key,
        "date": date.isoformat(),
        "by": _text(by) or who,
        "notes": _text(notes),
        "outcome": _text(outcome),
        "next_step": _text(next_step),
        "review_date": _iso(review_date),
        "end_date": _iso(end_date),
        "document": document.to_payload() if document else None,
    }
    return _next(case, EventKind.INTERVENTION_LOGGED, who, at, "", payload)


def review_intervention(
    case: Case,
    config: CaseworkConfig,
    *,
    ref: int,
    date: dt.date,
    who: str,
    at: dt.datetime,
    outcome: str = "",
    next_review_date: dt.date | None = None,
    ended: bool = False,
) -> CaseEvent:
    """Record a review of an intervention (a part-time timetable's, say): it ends, or it is reviewed again."""
    item = case.intervention(ref)
    if item.ended:
        raise CaseRuleError(
            f"This {config.intervention_type(item.type).name.lower()} ended on {long_date(item.ended_on)}"
        )
    _not_after(date, at, "The review date")
    if date < item.date:
        raise CaseRuleError("A review cannot be before the intervention started")
    timetable = config.intervention_type(item.type).timetable
    if not ended and timetable and next_review_date is None:
        raise CaseRuleError("Give the next review date, or record that the part-time timetable has ended")
    if next_review_date is not None and next_review_date < date:
        raise CaseRuleError("The next review must be on or after this one")
    payload = {
        "ref": ref,
        "date": date.isoformat(),
        "outcome": _text(outcome),
        "next_review_date": None if ended else _iso(next_review_date),
        "ended": ended,
    }
    return _next(case, EventKind.INTERVENTION_REVIEWED, who, at, "", payload)


# -- early help --------------------------------------------------------------------------------------------
def offer_eha(
    case: Case, *, date: dt.date, offered_by: str, who: str, at: dt.datetime, reference: str = ""
) -> CaseEvent:
    """Record that an Early Help Assessment was offered to the family (again, if an earlier offer was declined)."""
    current = case.current_offer
    if current is not None and current.answer is None:
        raise CaseRuleError(
            f"An Early Help Assessment was offered on {long_date(current.offered_on)} and is waiting for an answer"
        )
    if current is not None and current.answer == "accepted":
        raise CaseRuleError(f"The family accepted an Early Help Assessment on {long_date(current.answered_on)}")
    _not_after(date, at, "The date it was offered")
    payload = {
        "ref": case.next_ref(case.early_help),
        "date": date.isoformat(),
        "offered_by": _required(offered_by, "Say who offered the Early Help Assessment"),
        "reference": _text(reference),
    }
    return _next(case, EventKind.EHA_OFFERED, who, at, "", payload)


def answer_eha(
    case: Case, *, answer: str, date: dt.date, who: str, at: dt.datetime, why: str = "", reference: str = ""
) -> CaseEvent:
    """Record the family's answer to the Early Help Assessment offered: accepted or declined."""
    if answer not in EHA_ANSWERS:
        raise CaseRuleError("Choose whether the family accepted or declined the Early Help Assessment")
    current = case.current_offer
    if current is None or current.answer is not None:
        raise CaseRuleError("Record the Early Help Assessment offer first")
    if date < current.offered_on:
        raise CaseRuleError(f"The answer cannot be before the offer ({long_date(current.offered_on)})")
    _not_after(date, at, "The date of the answer")
    payload = {"ref": current.ref, "answer": answer, "date": date.isoformat(), "reference": _text(reference)}
    return _next(case, EventKind.EHA_ANSWERED, who, at, _text(why), payload)


def add_taf_member(
    case: Case, *, agency: str, person: str, role: str, start: dt.date, who: str, at: dt.datetime
) -> CaseEvent:
    """Add someone to the Team Around the Family."""
    agency = _required(agency, "Enter the member's agency")
    person = _required(person, "Enter the member's name")
    role = _required(role, "Enter the member's role")
    for m in case.current_taf:
        if (m.agency.lower(), m.person.lower(), m.role.lower()) == (agency.lower(), person.lower(), role.lower()):
            raise CaseRuleError(f"{m.person} is already in the Team Around the Family as {m.role}")
    payload = {
        "ref": case.next_ref(case.taf),
        "agency": agency,
        "person": person,
        "role": role,
        "start": start.isoformat(),
    }
    return _next(case, EventKind.TAF_MEMBER_ADDED, who, at, "", payload)


def end_taf_membership(case: Case, *, ref: int, date: dt.date, who: str, at: dt.datetime, why: str = "") -> CaseEvent:
    member = case.taf_member(ref)
    if date < member.start:
        raise CaseRuleError(f"{member.person} cannot leave before joining ({long_date(member.start)})")
    return _next(case, EventKind.TAF_MEMBER_LEFT, who, at, _text(why), {"ref": ref, "date": date.isoformat()})


def record_criteria(
    case: Case, config: CaseworkConfig, *, criteria: Iterable[str], date: dt.date, who: str, at: dt.datetime
) -> CaseEvent:
    """Record which family support criteria the family meets (replacing what was recorded before)."""
    keys = sorted(set(criteria))
    for key in keys:
        try:
            config.criterion(key)
        except Exception as exc:
            raise CaseRuleError(str(exc)) from None
    if tuple(keys) == case.criteria_met and case.criteria_recorded_on is not None:
        raise CaseRuleError("These are the criteria already recorded")
    return _next(case, EventKind.CRITERIA_RECORDED, who, at, "", {"criteria": keys, "date": date.isoformat()})


def refer_family_support(case: Case, *, date: dt.date, to: str, who: str, at: dt.datetime, why: str) -> CaseEvent:
    """Refer the family to family support (the Supporting Families team, a family hub...)."""
    _not_after(date, at, "The date of the referral")
    payload = {
        "ref": case.next_ref(case.family_support),
        "date": date.isoformat(),
        "to": _required(to, "Say who the family is referred to"),
    }
    return _next(
        case, EventKind.FAMILY_SUPPORT_REFERRED, who, at, _required(why, "Say why the family is referred"), payload
    )


def record_family_support_outcome(
    case: Case, *, ref: int, outcome: str, date: dt.date, who: str, at: dt.datetime
) -> CaseEvent:
    payload = {"ref": ref, "outcome": _required(outcome, "Enter the referral's outcome"), "date": date.isoformat()}
    return _next(case, EventKind.FAMILY_SUPPORT_OUTCOME, who, at, "", payload)


def link_family(case: Case, *, family_case: int | None, who: str, at: dt.datetime, why: str = "") -> CaseEvent:
    """Link the case to a family case (siblings' cases share one), or unlink it (``None``)."""
    if family_case == case.family_case:
        raise CaseRuleError("The case is already linked so")
    return _next(case, EventKind.FAMILY_LINKED, who, at, _text(why), {"family_case": family_case})


def follow_pupil(
    case: Case,
    *,
    enrolment_id: int,
    urn: int,
    who: str,
    at: dt.datetime,
    school_name: str = "",
    previous_school_name: str = "",
) -> CaseEvent:
    """Move the case to the pupil's current enrolment (a new school's roll): the new school now works the case.

    The case's people, stage and history stay as they are; the reason is recorded in words.
    """
    if enrolment_id == case.pupil.enrolment_id:
        raise CaseRuleError("The case is already on this enrolment")
    to = _text(school_name) or f"school {urn}"
    before = _text(previous_school_name) or f"school {case.pupil.urn}"
    why = f"The pupil is now on the roll of {to}" + ("" if urn != case.pupil.urn else " (a new enrolment)")
    payload = {
        "enrolment_id": enrolment_id,
        "urn": urn,
        "previous_enrolment_id": case.pupil.enrolment_id,
        "previous_urn": case.pupil.urn,
        "school_name": to,
        "previous_school_name": before,
    }
    return _next(case, EventKind.SCHOOL_CHANGED, who, at, why, payload)


def add_note(case: Case, *, text: str, who: str, at: dt.datetime) -> CaseEvent:
    return _next(case, EventKind.NOTE, who, at, _required(text, "Enter the note"), {})


def close_case(
    case: Case, config: CaseworkConfig, *, outcome: str, date: dt.date, who: str, at: dt.datetime, why: str
) -> CaseEvent:
    """Close the case with an outcome (one of the configured closure outcomes) and why."""
    try:
        chosen = config.closure_outcome(outcome)
    except Exception as exc:
        raise CaseRuleError(str(exc)) from None
    if date < case.opened_on:
        raise CaseRuleError(f"A case cannot close before it opened ({long_date(case.opened_on)})")
    _not_after(date, at, "The date it closes")
    why = _required(why, "Say why the case is being closed")
    return _next(case, EventKind.CLOSED, who, at, why, {"outcome": chosen.key, "date": date.isoformat()})
