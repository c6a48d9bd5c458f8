"""The case store: cases kept as their events, appended one at a time, with the projection lists read.

Every change goes through :func:`record` (or :func:`open_case` for the first event), in one
transaction:

1. the case's row is read (and locked on PostgreSQL); if its ``version`` is not the one the person's
   form was made from, someone else has changed the case since they opened it: :class:`StaleCase`, with
   who and when, and nothing is written;
2. the case is replayed from its events and the command builds the next event (refusing, with
   :class:`~attendwise.casework.case.CaseRuleError`, what the rules do not allow);
3. the event is inserted as number ``version + 1``: the database's ``(case, seq)`` unique constraint
   refuses a second writer that got past step 1 at the same moment (:class:`StaleCase` again);
4. the row and the projection of what the event touched are brought up to date, and only while the row
   still has the version read (else the whole transaction is undone).

Nothing else writes these tables. :func:`rebuild` projects a case afresh from its events (the
projection is never the record; a test checks it always equals the replay).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from attendwise.casework.case import Case, EarlyHelpOffer, Intervention, TafMember, apply, replay
from attendwise.casework.events import KIND_LABELS, CaseEvent, EventKind
from attendwise.web.casework.models import (
    CaseEventRecord,
    CaseRecord,
    EarlyHelpRecord,
    FamilyLink,
    InterventionRecord,
    TafMemberRecord,
)

__all__ = ["Loaded", "OpenCaseExists", "StaleCase", "bulk_open", "load", "open_case", "rebuild", "record", "who_of"]


class StaleCase(Exception):
    """The case changed since the person's form was made: their change is refused, never merged silently."""

    def __init__(self, case_id: int, latest: CaseEventRecord | None) -> None:
        self.case_id = case_id
        self.latest = latest
        if latest is None:
            message = "This case was changed by someone else since you opened it."
        else:
            local = timezone.localtime(latest.at)
            when = (
                f"{local:%H:%M}"
                if local.date() == timezone.localdate()
                else f"{local:%H:%M} on {local.day} {local:%B %Y}"
            )
            what = KIND_LABELS[EventKind(latest.kind)].lower()
            who = latest.user_name or latest.username
            message = f"This case was changed by {who} at {when} since you opened it ({what})."
        super().__init__(message + " Check the case as it is now and make your change again if it still applies.")


class OpenCaseExists(Exception):
    """The pupil already has an open case: one at a time."""

    def __init__(self, existing: CaseRecord) -> None:
        self.existing = existing
        super().__init__(
            f"This pupil already has an open case, opened on {existing.opened_on.day} {existing.opened_on:%B %Y}"
        )


@dataclass(frozen=True)
class Loaded:
    """A case as stored: its row and its events, and the state they give."""

    record: CaseRecord
    events: tuple[CaseEventRecord, ...]
    case: Case


def who_of(user: object) -> tuple[str, str]:
    """A user's user name and the name a timeline shows."""
    username = user.get_username()  # type: ignore[attr-defined]
    return username, (user.get_full_name() or username)  # type: ignore[attr-defined]


def load(case_id: int) -> Loaded | None:
    """The case with this id, replayed from its events; ``None`` if there is none."""
    row = CaseRecord.objects.filter(pk=case_id).first()
    if row is None:
        return None
    events = tuple(CaseEventRecord.objects.filter(case=row).order_by("seq"))
    return Loaded(row, events, replay(e.event() for e in events))


def _insert(row: CaseRecord, event: CaseEvent, user_name: str) -> CaseEventRecord:
    return CaseEventRecord.objects.create(
        case=row,
        seq=event.seq,
        kind=event.kind.value,
        username=event.who,
        user_name=user_name,
        at=event.at,
        why=event.why,
        payload=dict(event.payload),
    )


def _row_fields(case: Case) -> dict[str, object]:
    closure = case.closure
    return {
        # The enrolment (and so the school) the case follows: the pupil's current one once they move.
        "enrolment_id": case.pupil.enrolment_id,
        "urn": case.pupil.urn,
        "stage": case.stage,
        "lead": case.lead,
        "lead_practitioner": case.lead_practitioner,
        "attendance_champion": case.attendance_champion,
        "la_officer": case.la_officer,
        "review_date": case.review_date,
        "criteria_met": len(case.criteria_met),
        "closed_on": closure.on if closure else None,
        "outcome": closure.outcome if closure else "",
        "version": case.version,
        "changed_at": case.changed_at,
        "changed_by": case.changed_by,
    }


def open_case(event: CaseEvent, user_name: str) -> Loaded:
    """Store the event that opens a case.

    Raises:
        OpenCaseExists: the pupil has an open case already (checked first, and by the database's
            constraint for two openings at the same moment).
    """
    case = apply(None, event)
    pupil = case.pupil
    try:
        with transaction.atomic():
            existing = CaseRecord.objects.filter(upn=pupil.upn, closed_on__isnull=True).first()
            if existing is not None:
                raise OpenCaseExists(existing)
            row = CaseRecord.objects.create(
                upn=pupil.upn,
                opening_reason=case.opening_reason.value,
                opened_on=case.opened_on,
                opened_at=case.opened_at,
                opened_by=case.opened_by,
                **_row_fields(case),
            )
            stored = _insert(row, event, user_name)
    except IntegrityError:
        existing = CaseRecord.objects.filter(upn=pupil.upn, closed_on__isnull=True).first()
        if existing is None:
            raise
        raise OpenCaseExists(existing) from None
    return Loaded(row, (stored,), case)


def record(case_id: int, expected_version: int, build: Callable[[Case], CaseEvent], user_name: str) -> Loaded:
    """Append the event ``build`` makes from the case as it stands, if nobody has changed it since
    ``expected_version`` (the version the person's form was made from).

    Raises:
        StaleCase: the case has changed since (or changes at the same moment).
        CaseRuleError: the command refuses the change.
        CaseRecord.DoesNotExist: there is no such case.
    """
    with transaction.atomic():
        row = CaseRecord.objects.select_for_update().get(pk=case_id)
        if row.version != expected_version:
            raise StaleCase(case_id, _latest(row, expected_version))
        # The events the person saw: one appended at this moment by someone else is not among them, and its
        # number is the one this change would take, which the database refuses below.
        events = list(CaseEventRecord.objects.filter(case=row, seq__lte=expected_version).order_by("seq"))
        case = replay(e.event() for e in events)
        event = build(case)
        try:
            with transaction.atomic():
                stored = _insert(row, event, user_name)
        except IntegrityError:
            raise StaleCase(case_id, _latest(row, expected_version)) from None
        new = apply(case, event)
        fields = _row_fields(new)
        if CaseRecord.objects.filter(pk=row.pk, version=expected_version).update(**fields) != 1:
            raise StaleCase(case_id, _latest(row, expected_version))
        for name, value in fields.items():
            setattr(row, name, value)
        _project(row, new, event)
    return Loaded(row, (*events, stored), new)


def _latest(row: CaseRecord, after: int) -> CaseEventRecord | None:
    """The latest event someone else appended after version ``after``."""
    return CaseEventRecord.objects.filter(case=row, seq__gt=after).order_by("-seq").first()


# -- the projection ------------------------------------------------------------------------------------------
def _intervention_fields(item: Intervention) -> dict[str, object]:
    doc = item.document
    return {
        "type": item.type,
        "date": item.date,
        "by": item.by,
        "notes": item.notes,
        "outcome": item.outcome,
        "next_step": item.next_step,
        "review_date": item.review_date,
        "end_date": item.end_date,
        "ended_on": item.ended_on,
        "recorded_by": item.recorded_by,
        "recorded_at": item.recorded_at,
        "document": doc.storage_name if doc else "",
        "document_name": doc.name if doc else "",
        "document_content_type": doc.content_type if doc else "",
        "document_template": doc.template if doc else "",
        "document_docx": doc.docx_storage_name if doc else "",
    }


def _offer_fields(offer: EarlyHelpOffer) -> dict[str, object]:
    return {
        "offered_on": offer.offered_on,
        "offered_by": offer.offered_by,
        "reference": offer.reference,
        "answer": offer.answer or "",
        "answered_on": offer.answered_on,
    }


def _member_fields(member: TafMember) -> dict[str, object]:
    return {
        "agency": member.agency,
        "person": member.person,
        "role": member.role,
        "start": member.start,
        "end": member.end,
    }


def _project(row: CaseRecord, case: Case, event: CaseEvent | None) -> None:
    """Bring the projection of what ``event`` touched up to date (``None``: everything)."""
    kind, ref = (event.kind, event.payload.get("ref")) if event is not None else (None, None)
    if kind in (None, EventKind.INTERVENTION_LOGGED, EventKind.INTERVENTION_REVIEWED):
        for item in case.interventions:
            if ref is None or item.ref == ref:
                InterventionRecord.objects.update_or_create(case=row, ref=item.ref, defaults=_intervention_fields(item))
    if kind in (None, EventKind.EHA_OFFERED, EventKind.EHA_ANSWERED):
        for offer in case.early_help:
            if ref is None or offer.ref == ref:
                EarlyHelpRecord.objects.update_or_create(case=row, ref=offer.ref, defaults=_offer_fields(offer))
    if kind in (None, EventKind.TAF_MEMBER_ADDED, EventKind.TAF_MEMBER_LEFT):
        for member in case.taf:
            if ref is None or member.ref == ref:
                TafMemberRecord.objects.update_or_create(case=row, ref=member.ref, defaults=_member_fields(member))
    if kind in (None, EventKind.FAMILY_LINKED):
        FamilyLink.objects.filter(case=row).delete()
        if case.family_case is not None:
            FamilyLink.objects.create(case=row, family_id=case.family_case)


def bulk_open(histories: Sequence[Sequence[CaseEvent]], user_name: Callable[[str], str]) -> int:
    """Store many whole cases at once (the demo city's history), each from its events, in one transaction.

    Each history is replayed first, so only cases the fold accepts are stored; a pupil with an open case
    already is refused by the database, as by :func:`open_case`.
    """
    cases = [(list(events), replay(events)) for events in histories]
    with transaction.atomic():
        rows = CaseRecord.objects.bulk_create(
            [
                CaseRecord(
                    upn=case.pupil.upn,
                    opening_reason=case.opening_reason.value,
                    opened_on=case.opened_on,
                    opened_at=case.opened_at,
                    opened_by=case.opened_by,
                    **_row_fields(case),
                )
                for _, case in cases
            ]
        )
        CaseEventRecord.objects.bulk_create(
            [
                CaseEventRecord(
                    case=row,
                    seq=e.seq,
                    kind=e.kind.value,
                    username=e.who,
                    user_name=user_name(e.who),
                    at=e.at,
                    why=e.why,
                    payload=dict(e.payload),
                )
                for row, (events, _) in zip(rows, cases, strict=True)
                for e in events
            ],
            batch_size=2000,
        )
        InterventionRecord.objects.bulk_create(
            [
                InterventionRecord(case=row, ref=i.ref, **_intervention_fields(i))
                for row, (_, case) in zip(rows, cases, strict=True)
                for i in case.interventions
            ],
            batch_size=2000,
        )
        EarlyHelpRecord.objects.bulk_create(
            [
                EarlyHelpRecord(case=row, ref=o.ref, **_offer_fields(o))
                for row, (_, case) in zip(rows, cases, strict=True)
                for o in case.early_help
            ]
        )
        TafMemberRecord.objects.bulk_create(
            [
                TafMemberRecord(case=row, ref=m.ref, **_member_fields(m))
                for row, (_, case) in zip(rows, cases, strict=True)
                for m in case.taf
            ]
        )
    return len(rows)


def rebuild(case_id: int) -> Case:
    """Project a case afresh from its events (its row and every list), and return the case."""
    with transaction.atomic():
        row = CaseRecord.objects.select_for_update().get(pk=case_id)
        case = replay(e.event() for e in CaseEventRecord.objects.filter(case=row).order_by("seq"))
        CaseRecord.objects.filter(pk=row.pk).update(**_row_fields(case))
        for model in (InterventionRecord, EarlyHelpRecord, TafMemberRecord):
            model.objects.filter(case=row).delete()
        _project(row, case, None)
    return case


def now() -> dt.datetime:
    """The time an event is recorded at, in the LA's timezone (so a date typed as today is today)."""
    return timezone.localtime()
