"""Who may see and record what on the registers: named predicates over the scope of :mod:`attendwise.web.rules`.

=====================  ===================================================================================
LA administrator       every register and entry; records on any
LA attendance officer  the entries of their schools (every school, and children on no roll, if no school is
                       assigned to them); records on them
School user            notifies removals from its own roll (a form or a CSV file), sees its own notifications,
                       and the registers narrowed to its own pupils (its E marks and C2 marks to correct)
Virtual School         the entries of children looked after or with a social worker, to read
Scrutiny member        counts only (CME by reason, home education by year group, sex and reason, exclusion
                       rates), small numbers suppressed
=====================  ===================================================================================

Refusals follow the app's one rule: 403 for a role that may never see a kind of page; 404 for a school or
pupil outside the scope of a role that may, so nobody learns another school's notifications exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attendwise.web.models import Role
from attendwise.web.rules import can_view_school, scope_for

if TYPE_CHECKING:
    from attendwise.measures.pupils import Enrolment
    from attendwise.web.rules import User

__all__ = [
    "can_notify_removals",
    "can_see_entry",
    "can_view_register_counts",
    "can_view_registers",
    "can_view_school_removals",
]

_LA = {Role.LA_ADMIN, Role.OFFICER}
_NOTIFYING = {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL}


def can_view_registers(user: User) -> bool:
    """The register pages (they name children): LA staff, the Virtual School (its children only) and schools
    (their own pupils only); every list is narrowed to the user's scope."""
    return scope_for(user).role in {*_LA, Role.VIRTUAL_SCHOOL, Role.SCHOOL}


def can_view_school_removals(user: User, urn: int) -> bool:
    """A school's removal notifications: the school itself, and LA staff with the school."""
    return scope_for(user).role in _NOTIFYING and can_view_school(user, urn)


def can_notify_removals(user: User, urn: int) -> bool:
    """Notify a removal from the school's roll: the school, and LA staff with the school (on its behalf)."""
    return can_view_school_removals(user, urn)


def can_see_entry(user: User, urn: int | None, enrolment: Enrolment | None) -> bool:
    """One entry: through its enrolment when it has one (school and social care flags), else by its school; an
    entry naming neither (a child never on a roll here) only for LA staff with every school."""
    scope = scope_for(user)
    if not scope.pupil_level:
        return False
    if enrolment is not None:
        return scope.allows_enrolment(enrolment)
    if scope.social_care_only:
        return False
    return scope.schools is None if urn is None else scope.allows_school(urn)


def can_view_register_counts(user: User) -> bool:
    """The registers' counts: LA staff, and scrutiny members (suppressed)."""
    return scope_for(user).role in {*_LA, Role.SCRUTINY}
