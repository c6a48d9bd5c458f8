"""A school's removal from roll: checked against the register store, then stored with what it opens, at once.

:func:`check` asks what the notification needs of the store (the pupil on the school's roll, the marks for
the 20-day ground) and returns every problem by field; :func:`store_removal` writes the notification, the
EHE entry or CME referral it opens (:func:`attendwise.registers.removals.consequences`) and a change-log
row for each, in one transaction: a failure leaves nothing stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from attendwise.core.identifiers import show
from attendwise.core.upn import is_valid_upn
from attendwise.measures.pupils import Enrolment, enrolments_of
from attendwise.registers.marks import marks_of
from attendwise.registers.removals import UNEXPLAINED_ABSENCE, Problem, check_unexplained_absence, consequences
from attendwise.registers.school_days import SchoolCalendar
from attendwise.registers.settings import RegistersConfig
from attendwise.store import Store
from attendwise.web.registers.models import CmeReferral, EheEntry, RegisterChange, RemovalNotification

__all__ = ["Checked", "check", "store_removal"]


@dataclass(frozen=True)
class Checked:
    """A notification that passed the checks: the enrolment it removes, and its cleaned values."""

    enrolment: Enrolment
    values: Mapping[str, Any]
    child_name: str


def _enrolment_at(store: Store, upn: str, urn: int) -> Enrolment | None:
    at_school = [e for e in enrolments_of(store, upn) if e.urn == urn]
    return at_school[0] if at_school else None


def check(store: Store, urn: int, values: Mapping[str, Any], config: RegistersConfig) -> Checked | list[Problem]:
    """The notification's problems by field (the pupil, the date, the 20-day ground), or what it removes."""
    upn = str(values["upn"])
    if not is_valid_upn(upn):
        return [Problem("upn", f"{show(upn)} is not a UPN: check the letter and the 12 digits")]
    enrolment = _enrolment_at(store, upn, urn)
    if enrolment is None:
        return [Problem("upn", "No pupil with this UPN has been on your school's roll")]
    removal_date: dt.date = values["removal_date"]
    problems = []
    if RemovalNotification.objects.filter(enrolment_id=enrolment.enrolment_id, removal_date=removal_date).exists():
        problems.append(Problem("upn", f"This pupil's removal on {removal_date:%d %B %Y} has already been notified"))
    if removal_date <= enrolment.admission_date:
        problems.append(
            Problem(
                "removal_date", f"The date must be after the pupil's admission on {enrolment.admission_date:%d %B %Y}"
            )
        )
    ground = config.ground(str(values["ground"]))
    if values.get("destination_urn") == urn:
        problems.append(Problem("destination_urn", "The new school cannot be the school the pupil is leaving"))
    if ground.destination == "home_education" and not values.get("ehe_reason"):
        problems.append(Problem("ehe_reason", "Choose the reason the parents gave (or 'No reason given')"))
    if ground.key == UNEXPLAINED_ABSENCE and not problems:
        settings = config.settings
        calendar = SchoolCalendar(tuple(store.school_days(urn, enrolment.admission_date, removal_date)))
        problems += check_unexplained_absence(
            removal_date=removal_date,
            marks=marks_of(store, enrolment.enrolment_id, end=removal_date),
            calendar=calendar,
            settings=settings,
            school_enquiry_failed=bool(values.get("school_enquiry_failed")),
            la_enquiry_failed=bool(values.get("la_enquiry_failed")),
        )
    if problems:
        return problems
    names = store.pupil_names([upn]).get(upn, (None, None))
    return Checked(enrolment, values, " ".join(n for n in names if n))


def _log(username: str, user: Any, register: str, entry: Any, what: str) -> None:
    RegisterChange.objects.create(
        user=user, username=username, register=register, entry_id=entry.pk, what=what, upn=entry.upn, urn=entry.urn
    )


def store_removal(
    checked: Sequence[Checked], *, user: Any, username: str, config: RegistersConfig, sources: Sequence[str]
) -> list[RemovalNotification]:
    """Store each checked notification and what it opens, all in one transaction."""
    stored = []
    with transaction.atomic():
        for c, source in zip(checked, sources, strict=True):
            v, e = c.values, c.enrolment
            who = {
                "upn": e.upn,
                "enrolment_id": e.enrolment_id,
                "urn": e.urn,
                "child_name": c.child_name,
                "recorded_by": username,
            }
            removal = RemovalNotification.objects.create(
                **who,
                removal_date=v["removal_date"],
                ground=v["ground"],
                destination_urn=v.get("destination_urn"),
                destination_la=v.get("destination_la") or "",
                destination_note=v.get("destination_note") or "",
                school_enquiry_failed=bool(v.get("school_enquiry_failed")),
                la_enquiry_failed=bool(v.get("la_enquiry_failed")),
                source=source,
            )
            ground = config.ground(str(v["ground"]))
            _log(username, user, "removals", removal, f"notified: {ground.label} on {v['removal_date']:%d %b %Y}")
            opens = consequences(
                ground, destination_urn=v.get("destination_urn"), destination_la=v.get("destination_la") or ""
            )
            if opens.opens_ehe:
                entry = EheEntry.objects.create(
                    **who,
                    started_on=v["removal_date"],
                    reason=v.get("ehe_reason") or "no_reason_given",
                    removal=removal,
                    special_school=e.phase == "special",
                    child_protection_plan=e.cpp,
                )
                _log(username, user, "ehe", entry, f"opened by removal {removal.pk}")
            if opens.opens_cme:
                unknown = v["removal_date"] if opens.cme_reason == "whereabouts_unknown" else None
                entry = CmeReferral.objects.create(
                    **who,
                    referred_on=v["removal_date"],
                    source="removal_from_roll",
                    reason=opens.cme_reason,
                    removal=removal,
                    whereabouts_unknown_since=unknown,
                )
                _log(username, user, "cme", entry, f"opened by removal {removal.pk}")
            stored.append(removal)
    return stored
