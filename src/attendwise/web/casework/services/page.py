"""The case page: the case as its events leave it, its timeline newest first, and the pupil's figures.

The pupil's attendance is the pupil page's (:func:`attendwise.web.services.pupil.pupil_page`: the same
record, chart and band history); the stage it suggests is the core's
(:func:`attendwise.casework.figures.suggestions_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import reverse

from attendwise.casework.case import Case, EarlyHelpOffer, Intervention, TafMember
from attendwise.casework.events import OPENING_REASONS
from attendwise.casework.figures import RecordSuggestions, suggestions_for
from attendwise.casework.flags import Flag, case_flags, last_contact
from attendwise.casework.settings import Choice
from attendwise.casework.stages import Stage, StageModelError
from attendwise.casework.timeline import describe_event
from attendwise.measures.pupils import Enrolment
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseRecord, FamilyLink
from attendwise.web.casework.services.lists import school_weeks
from attendwise.web.casework.store import Loaded
from attendwise.web.models import Role
from attendwise.web.rules import Scope
from attendwise.web.services import pupil as pupil_service
from attendwise.web.services.data import StoreAccess

__all__ = ["CasePage", "TimelineEntry", "case_page", "officers_for", "people_names", "pupil_figures"]


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: dt.datetime
    who: str
    heading: str
    text: str
    why: str


@dataclass(frozen=True)
class InterventionEntry:
    item: Intervention
    type_name: str
    timetable: bool
    document_href: str | None
    #: A letter's Word file, beside its PDF.
    docx_href: str | None = None


@dataclass(frozen=True)
class CasePage:
    record: CaseRecord
    case: Case
    enrolment: Enrolment
    pupil: pupil_service.PupilPage
    stage: Stage | None
    stage_label: str
    lead_name: str
    officer_name: str
    opened_by: str
    opening_reason: str
    flags: tuple[Flag, ...]
    last_contact: dt.date | None
    suggestions: RecordSuggestions
    timeline: tuple[TimelineEntry, ...]
    interventions: tuple[InterventionEntry, ...]
    offers: tuple[EarlyHelpOffer, ...]
    taf: tuple[TafMember, ...]
    criteria: tuple[tuple[Choice, bool], ...]
    qualifies_for_intensive_support: bool
    closure_outcome: str
    #: The other cases in the case's family case: (pupil's name or "another pupil", the address if the user may see it).
    family: tuple[tuple[str, str | None], ...]


def people_names(usernames: set[str]) -> dict[str, str]:
    """People's names by user name (the user name where the account has no name, or is gone)."""
    found = get_user_model().objects.filter(username__in=usernames)
    names = {u.get_username(): u.get_full_name() or u.get_username() for u in found}
    return {n: names.get(n, n) for n in usernames}


def officers_for(urn: int) -> list[tuple[str, str]]:
    """The LA staff who may be a case's LA officer at this school: administrators, and officers with it."""
    staff = get_user_model().objects.filter(is_active=True, profile__role__in=[Role.LA_ADMIN, Role.OFFICER])
    out = []
    for u in staff.prefetch_related("school_access", "profile").order_by("username"):
        urns = {a.urn for a in u.school_access.all()}
        if u.profile.role == Role.LA_ADMIN or not urns or urn in urns:
            out.append((u.get_username(), u.get_full_name() or u.get_username()))
    return out


def pupil_figures(access: StoreAccess, scope: Scope, enrolment: Enrolment) -> pupil_service.PupilPage:
    """The pupil page's record, chart and band history for the enrolment (once per data version and scope)."""
    return access.cached(
        ("casework-pupil", enrolment.enrolment_id, scope),
        lambda: pupil_service.pupil_page(access, scope, enrolment, pupil_link=lambda e: reverse("pupil", args=[e])),
    )


def case_page(
    access: StoreAccess,
    scope: Scope,
    loaded: Loaded,
    enrolment: Enrolment,
    *,
    today: dt.date,
    can_see: Callable[[Enrolment], bool],
) -> CasePage:
    """Everything on a case's page for a user who may see it."""
    model, config = stage_model(), casework_config()
    case, record = loaded.case, loaded.record
    pupil = pupil_figures(access, scope, enrolment)
    try:
        stage: Stage | None = model.stage(case.stage)
    except StageModelError:
        stage = None
    names = people_names({e.username for e in loaded.events} | ({case.la_officer} if case.la_officer else set()))
    timeline = []
    for e in reversed(loaded.events):
        heading, text = describe_event(e.event(), model, config, name_of=lambda u: names.get(u, u))
        timeline.append(
            TimelineEntry(e.seq, e.at, e.user_name or names.get(e.username, e.username), heading, text, e.why)
        )
    types = {t.key: t for t in config.intervention_types}
    interventions = tuple(
        InterventionEntry(
            item,
            types[item.type].name if item.type in types else item.type,
            bool(types.get(item.type) and types[item.type].timetable),
            reverse("case_document", args=[record.pk, item.ref]) if item.document else None,
            reverse("case_document", args=[record.pk, item.ref]) + "?format=docx"
            if item.document and item.document.docx_storage_name
            else None,
        )
        for item in reversed(case.interventions)
    )
    outcome = next((c.name for c in config.closure_outcomes if case.closure and c.key == case.closure.outcome), "")
    return CasePage(
        record=record,
        case=case,
        enrolment=enrolment,
        pupil=pupil,
        stage=stage,
        stage_label=stage.label if stage else case.stage,
        lead_name=model.leads.get(case.lead, case.lead),
        officer_name=names.get(case.la_officer, "") if case.la_officer else "",
        opened_by=loaded.events[0].user_name or names.get(case.opened_by, case.opened_by),
        opening_reason=OPENING_REASONS[case.opening_reason],
        flags=tuple(case_flags(case, config, as_at=today, school_days=school_weeks(access, record.urn))),
        last_contact=last_contact(case, config),
        suggestions=suggestions_for(model, case.stage, pupil.record),
        timeline=tuple(timeline),
        interventions=interventions,
        offers=tuple(reversed(case.early_help)),
        taf=case.taf,
        criteria=tuple((c, c.key in case.criteria_met) for c in config.criteria),
        qualifies_for_intensive_support=config.qualifies_for_intensive_support(len(case.criteria_met)),
        closure_outcome=outcome,
        family=_family(access, record, can_see),
    )


def _family(
    access: StoreAccess, record: CaseRecord, can_see: Callable[[Enrolment], bool]
) -> tuple[tuple[str, str | None], ...]:
    link = FamilyLink.objects.filter(case=record).first()
    if link is None:
        return ()
    from attendwise.measures.pupils import find_enrolments

    others = [
        fl.case
        for fl in FamilyLink.objects.filter(family_id=link.family_id).exclude(case=record).select_related("case")
    ]
    found = find_enrolments(access.store(), [c.enrolment_id for c in others])
    names = access.store().pupil_names(c.upn for c in others)
    out = []
    for other in others:
        e = found.get(other.enrolment_id)
        if e is not None and can_see(e):
            forename, surname = names.get(other.upn, (None, None))
            out.append(
                (" ".join(p for p in (forename, surname) if p) or "Name not recorded", reverse("case", args=[other.pk]))
            )
        else:
            out.append(("A sibling's case you do not work with", None))
    return tuple(out)
