"""Who may see and record what on cases: named predicates over the scope of :mod:`attendwise.web.rules`.

=====================  ===================================================================================
LA administrator       every case; opens, records on and closes any; uploads the LA's letter templates
LA attendance officer  the cases of their schools (every school if no school is assigned to them); their
                       caseload is the open cases naming them as LA officer
School user            its own pupils' cases: sees, opens and records on them
Virtual School         cases of children looked after or with a social worker, to read (it records nothing)
Scrutiny member        counts only (cases by stage, interventions by type), small numbers suppressed
=====================  ===================================================================================

Refusals follow the app's one rule: a role that may never see a case gets 403; a role that may,
asking for one outside its scope (another school's pupil), gets 404, so nobody learns it exists. A case
is in scope when the enrolment it was opened for is (:meth:`attendwise.web.rules.Scope.allows_enrolment`:
its school, and for the Virtual School the child's social care flags as the register holds them now).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attendwise.web.models import Role
from attendwise.web.rules import can_view_school, scope_for

if TYPE_CHECKING:
    from attendwise.measures.pupils import Enrolment
    from attendwise.web.rules import User

__all__ = [
    "can_manage_letter_templates",
    "can_open_case",
    "can_record_on_case",
    "can_record_on_cases",
    "can_view_case",
    "can_view_case_counts",
    "can_view_caseload",
    "can_view_cases",
    "can_view_school_cases",
]

_CASE_ROLES = {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL, Role.VIRTUAL_SCHOOL}
_RECORDING_ROLES = {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL}


def can_view_cases(user: User) -> bool:
    """Cases as a kind of page (they name pupils): every pupil-level role."""
    return scope_for(user).role in _CASE_ROLES


def can_view_case(user: User, enrolment: Enrolment) -> bool:
    return can_view_cases(user) and scope_for(user).allows_enrolment(enrolment)


def can_record_on_cases(user: User) -> bool:
    """Recording on cases as a kind of action: LA staff and schools (the Virtual School reads)."""
    return scope_for(user).role in _RECORDING_ROLES


def can_record_on_case(user: User, enrolment: Enrolment) -> bool:
    return can_record_on_cases(user) and scope_for(user).allows_enrolment(enrolment)


def can_open_case(user: User, enrolment: Enrolment) -> bool:
    """Open a case for a pupil: whoever may record on the pupil's cases."""
    return can_record_on_case(user, enrolment)


def can_view_caseload(user: User) -> bool:
    """The list of cases (``/cases/``): every role that sees cases, each its own."""
    return can_view_cases(user)


def can_view_school_cases(user: User, urn: int) -> bool:
    """A school's cases: LA staff with the school, and the school itself."""
    return scope_for(user).role in _RECORDING_ROLES and can_view_school(user, urn)


def can_view_case_counts(user: User) -> bool:
    """Counts of cases by stage and interventions by type: LA staff and scrutiny members (suppressed)."""
    return scope_for(user).role in {Role.LA_ADMIN, Role.OFFICER, Role.SCRUTINY}


def can_manage_letter_templates(user: User) -> bool:
    """The LA's letter templates (uploading a new version of one): LA administrators only."""
    return scope_for(user).role == Role.LA_ADMIN
