"""The family view: every sibling the user may see, their attendance this year and their cases, side by side.

Who the family is comes from :func:`attendwise.measures.families.family_of` (pupils sharing a parent with
parental responsibility, across schools), which returns the whole family; this module keeps only the
siblings whose current enrolment the user's scope allows (a school its own pupils, an officer their schools',
the Virtual School children looked after or with a social worker). Siblings outside the scope are left out
without a word, so nobody learns that another school's pupil exists.

A family case links the siblings' open cases (:func:`link_family_cases`): one ``family_linked`` event on each,
so one approach is planned for the family, whichever schools its children attend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from attendwise.casework import commands
from attendwise.measures.attendance import PupilAttendance, pupil_attendance, year_so_far
from attendwise.measures.families import family_of
from attendwise.measures.pupils import Enrolment, enrolments_of
from attendwise.web.casework import store as case_store
from attendwise.web.casework.config import stage_model
from attendwise.web.casework.models import CaseRecord, FamilyCase, FamilyLink
from attendwise.web.rules import Scope
from attendwise.web.services.data import StoreAccess

__all__ = ["FamilyPage", "Sibling", "family_page", "link_family_cases"]


@dataclass(frozen=True)
class Sibling:
    """One child of the family the user may see."""

    enrolment: Enrolment
    name: str
    href: str
    attendance: PupilAttendance | None
    #: The child's open case, if any, with its stage in words.
    case: CaseRecord | None
    stage_label: str
    family_case: int | None
    #: Where to open a case for them (when they have none and the user may open one).
    open_href: str | None
    #: The parents with parental responsibility of this child: "Amina Begum (mother)".
    parents: tuple[str, ...]

    @property
    def attendance_percent(self) -> float | None:
        a = self.attendance.attendance if self.attendance else None
        return None if a is None else float(100 * a)


@dataclass(frozen=True)
class FamilyPage:
    """The family of one pupil as the user may see it."""

    subject: Sibling
    siblings: tuple[Sibling, ...]
    period_label: str
    #: The open cases a family case would link (two or more, not all in one family case already).
    linkable: tuple[CaseRecord, ...]
    #: The family case the open cases share, if they share one.
    family_case: int | None

    @property
    def sess_missed(self) -> int:
        return sum(s.attendance.sess_missed for s in self.siblings if s.attendance)


def _current(enrolments: list[Enrolment]) -> Enrolment | None:
    """A pupil's current enrolment: on roll, newest admission first (else the latest)."""
    on_roll = [e for e in enrolments if e.on_roll]
    return (on_roll or enrolments or [None])[0]


def family_page(
    access: StoreAccess,
    scope: Scope,
    enrolment: Enrolment,
    *,
    can_open: Callable[[Enrolment], bool],
) -> FamilyPage:
    """The family of the pupil of ``enrolment`` (one the user may see), each sibling the user may see."""
    store = access.store()
    family = family_of(store, enrolment.upn)
    members = family.members if family is not None else ()
    visible: dict[str, Enrolment] = {enrolment.upn: enrolment}
    for m in members:
        if m.upn == enrolment.upn:
            continue
        current = _current(enrolments_of(store, m.upn))
        if current is not None and scope.allows_enrolment(current):
            visible[m.upn] = current
    period = year_so_far(store)  # the school year of the latest mark, as the pupil page's record
    figures = pupil_attendance(store, list(visible), period)
    names = store.pupil_names(visible)
    cases = {c.upn: c for c in CaseRecord.objects.filter(upn__in=list(visible), closed_on__isnull=True)}
    links = dict(FamilyLink.objects.filter(case__in=list(cases.values())).values_list("case_id", "family_id"))
    by_upn = {m.upn: m for m in members}
    model = stage_model()
    out: list[Sibling] = []
    for upn, e in visible.items():
        forename, surname = names.get(upn, (None, None))
        case = cases.get(upn)
        member = by_upn.get(upn)
        parents = tuple(
            f"{c.contact.name} ({c.relationship})"
            for c in (member.contacts if member else ())
            if c.parental_responsibility
        )
        try:
            stage = model.stage(case.stage).label if case else ""
        except Exception:  # a stage of a model the LA no longer uses
            stage = case.stage if case else ""
        out.append(
            Sibling(
                enrolment=e,
                name=" ".join(p for p in (forename, surname) if p) or "Name not recorded",
                href=reverse("pupil", args=[e.enrolment_id]),
                attendance=figures.get(upn),
                case=case,
                stage_label=stage,
                family_case=links.get(case.pk) if case else None,
                open_href=None if case or not can_open(e) else reverse("case_open", args=[e.enrolment_id]),
                parents=parents,
            )
        )
    subject, *others = out
    open_cases = tuple(s.case for s in out if s.case is not None)
    shared = {s.family_case for s in out if s.case is not None}
    family_case = next(iter(shared)) if len(shared) == 1 else None
    linkable = open_cases if len(open_cases) >= 2 and family_case is None else ()
    return FamilyPage(subject, (subject, *others), period.describe(), linkable, family_case)


def link_family_cases(versions: Mapping[int, int], *, who: str, user_name: str, at: dt.datetime, why: str = "") -> int:
    """Link the cases (``{case id: the version the page showed}``) in one family case: the one some of them are in
    already, else a new one; one ``family_linked`` event on each case not linked to it yet, all or nothing.

    Raises:
        StaleCase: a case changed since the page was opened.
    """
    with transaction.atomic():
        existing = sorted(
            set(FamilyLink.objects.filter(case_id__in=list(versions)).values_list("family_id", flat=True))
        )
        family_id = existing[0] if existing else FamilyCase.objects.create(created_by=who, note=why).pk
        for case_id, version in sorted(versions.items()):
            loaded = case_store.load(case_id)
            if loaded is None or loaded.case.family_case == family_id:
                continue
            case_store.record(
                case_id,
                version,
                lambda case: commands.link_family(case, family_case=family_id, who=who, at=at, why=why),
                user_name,
            )
    return family_id
