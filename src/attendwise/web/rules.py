"""Who may see what: every permission in the service, as named predicates over a user's scope.

Views ask these predicates (never a menu) before they call a service, and services narrow every
query to the user's :class:`Scope`, so a page, an export and an API response answer the same
question the same way.  The roles:

=====================  ============================================================================
LA administrator       everything, the audit log and user administration
LA attendance officer  every school, or only the schools assigned to them
School user            their own school(s): aggregates and their own pupils only
Virtual School         children looked after and children with a social worker (CIN or CP), across
                       schools; LA aggregates
Scrutiny member        aggregates only, with small numbers suppressed; never a pupil
=====================  ============================================================================

Refusals follow one rule: a role that may never see a kind of page gets 403 (a scrutiny member
asking for any pupil); a role that may see that kind of page, asking for one outside its scope,
gets 404, so nobody learns whether another school's pupil exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendwise.ingest.scope import ImportScope
from attendwise.web.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from attendwise.core.cohorts import Cohort
    from attendwise.measures.pupils import Enrolment

    User = AbstractBaseUser | AnonymousUser

__all__ = [
    "Scope",
    "can_complete_action",
    "can_export_pupils",
    "can_record_tsm",
    "can_see_cohort_membership",
    "can_see_pupils",
    "can_upload",
    "can_upload_for_school",
    "can_upload_la_calendar",
    "can_view_audit",
    "can_view_cohorts",
    "can_view_la_overview",
    "can_view_pupil",
    "can_view_school",
    "can_view_school_pupils",
    "can_view_schools",
    "can_view_tsm_pack",
    "can_view_tsm_packs",
    "can_view_tsm_term",
    "can_view_virtual_school",
    "import_scope_for",
    "is_la_admin",
    "scope_for",
    "sees_cohort_membership",
]


@dataclass(frozen=True)
class Scope:
    """What one user may see, worked out once per request from their role and schools."""

    role: Role | None
    #: The schools whose data the user may see; ``None`` means every school.
    schools: frozenset[int] | None
    #: Virtual School: only enrolments of children looked after, in need or on a protection plan.
    social_care_only: bool = False

    @property
    def active(self) -> bool:
        return self.role is not None

    @property
    def pupil_level(self) -> bool:
        """Whether the role may ever see an individual pupil."""
        return self.role in {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL, Role.VIRTUAL_SCHOOL}

    @property
    def suppress(self) -> bool:
        """Whether aggregates shown to this user have small numbers suppressed."""
        return self.role == Role.SCRUTINY

    def allows_school(self, urn: int) -> bool:
        return self.schools is None or urn in self.schools

    def allows_enrolment(self, enrolment: Enrolment) -> bool:
        """Whether this enrolment is one the user may see (the scope part of :func:`can_view_pupil`)."""
        if not self.pupil_level or not self.allows_school(enrolment.urn):
            return False
        return not self.social_care_only or enrolment.cla or enrolment.cin or enrolment.cpp


_NO_SCOPE = Scope(role=None, schools=frozenset())


def scope_for(user: User) -> Scope:
    """The user's scope (cached on the user object for the request)."""
    cached = getattr(user, "_attendwise_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    user._attendwise_scope = scope  # type: ignore[union-attr]
    return scope


def _build_scope(user: User) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return _NO_SCOPE
    profile = getattr(user, "profile", None)
    if profile is None:
        return _NO_SCOPE
    role = Role(profile.role)
    urns = frozenset(user.school_access.values_list("urn", flat=True))  # type: ignore[union-attr]
    if role in {Role.LA_ADMIN, Role.VIRTUAL_SCHOOL, Role.SCRUTINY}:
        return Scope(role, None, social_care_only=role == Role.VIRTUAL_SCHOOL)
    if role == Role.OFFICER:
        return Scope(role, urns or None)
    return Scope(role, urns)  # a school user sees only their own school(s), none if unassigned


# -- predicates ----------------------------------------------------------------------------------
def is_la_admin(user: User) -> bool:
    return scope_for(user).role == Role.LA_ADMIN


def can_view_la_overview(user: User) -> bool:
    """LA-wide aggregates: LA staff and scrutiny members (suppressed), not school users."""
    return scope_for(user).role in {Role.LA_ADMIN, Role.OFFICER, Role.VIRTUAL_SCHOOL, Role.SCRUTINY}


def can_view_schools(user: User) -> bool:
    """School pages as a kind: everyone but the Virtual School, whose work is children, not schools."""
    return scope_for(user).role in {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL, Role.SCRUTINY}


def can_view_school(user: User, urn: int) -> bool:
    scope = scope_for(user)
    return can_view_schools(user) and scope.allows_school(urn)


def can_see_pupils(user: User) -> bool:
    """Whether the user's role may ever see an individual pupil."""
    return scope_for(user).pupil_level


def can_view_school_pupils(user: User, urn: int) -> bool:
    """A school's pupil list (its persistently and severely absent pupils)."""
    scope = scope_for(user)
    return can_view_school(user, urn) and scope.pupil_level


def can_view_pupil(user: User, enrolment: Enrolment) -> bool:
    return scope_for(user).allows_enrolment(enrolment)


def can_see_cohort_membership(user: User, cohort: Cohort) -> bool:
    """Who is in one of the LA's priority cohorts (on a pupil the user may see): LA staff for every cohort; a
    school user and the Virtual School only for a cohort whose visibility is ``schools`` (never ``la_only``,
    youth justice involvement say); scrutiny members never (they see no pupil)."""
    return sees_cohort_membership(scope_for(user), cohort)


def sees_cohort_membership(scope: Scope, cohort: Cohort) -> bool:
    """:func:`can_see_cohort_membership` for a scope (a service, which has the scope and not the user)."""
    if scope.role in {Role.LA_ADMIN, Role.OFFICER}:
        return True
    return scope.role in {Role.SCHOOL, Role.VIRTUAL_SCHOOL} and not cohort.sensitive


def can_export_pupils(user: User) -> bool:
    return can_see_pupils(user)


def can_view_cohorts(user: User) -> bool:
    return scope_for(user).active


def can_view_virtual_school(user: User) -> bool:
    scope = scope_for(user)
    return scope.role in {Role.LA_ADMIN, Role.VIRTUAL_SCHOOL} or (scope.role == Role.OFFICER and scope.schools is None)


def can_upload(user: User) -> bool:
    return scope_for(user).role in {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL}


def can_upload_for_school(user: User, urn: int) -> bool:
    return can_upload(user) and scope_for(user).allows_school(urn)


def can_upload_la_calendar(user: User) -> bool:
    """terms.csv and LA-wide closures change every school's calendar: LA staff with every school only."""
    scope = scope_for(user)
    return scope.role == Role.LA_ADMIN or (scope.role == Role.OFFICER and scope.schools is None)


def import_scope_for(user: User) -> ImportScope:
    """What an upload by ``user`` may change, for the importer to enforce on every row it parses: their
    schools' registers; the LA's calendar and master data (the LA's name, schools' names and phases) only
    for LA staff with every school (:func:`can_upload_la_calendar`)."""
    return ImportScope(
        who=user.get_username(),
        via="web",
        schools=scope_for(user).schools,
        la_data=can_upload_la_calendar(user),
        source="upload",
    )


def can_view_audit(user: User) -> bool:
    return is_la_admin(user)


# -- Targeting Support Meetings -----------------------------------------------------------------------
def can_view_tsm_term(user: User) -> bool:
    """The LA's term view of every school's TSM and the authority-wide severe absence list: LA staff."""
    return scope_for(user).role in {Role.LA_ADMIN, Role.OFFICER}


def can_view_tsm_pack(user: User, urn: int) -> bool:
    """A school's TSM pack (it names pupils): LA staff with the school, and the school itself."""
    scope = scope_for(user)
    return scope.role in {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL} and scope.allows_school(urn)


def can_view_tsm_packs(user: User) -> bool:
    """TSM packs as a kind of page (403 for roles that may never see one)."""
    return scope_for(user).role in {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL}


def can_record_tsm(user: User, urn: int) -> bool:
    """Schedule a school's meeting and record that it was held: LA staff with the school."""
    scope = scope_for(user)
    return scope.role in {Role.LA_ADMIN, Role.OFFICER} and scope.allows_school(urn)


def can_complete_action(user: User, urn: int, owner_id: int | None) -> bool:
    """An action is closed by its owner, or by LA staff with the school."""
    return can_record_tsm(user, urn) or (can_view_tsm_pack(user, urn) and owner_id == getattr(user, "pk", None))
