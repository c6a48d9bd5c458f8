"""Who may see and do what on the legal pathway: named predicates over :mod:`attendwise.web.rules`' scope.

=====================  ===================================================================================
LA administrator       every request and notice; checks, records and issues
LA attendance officer  the requests of their schools (every school if none is assigned); checks and issues
School user            requests a notice for its own pupils, sees its own requests, adds its evidence
Virtual School         the requests for children looked after or with a social worker, to read
Scrutiny member        counts only (requests and notices by status), small numbers suppressed
=====================  ===================================================================================

Refusals follow the app's rule: 403 for a role that never sees such a page, 404 for one outside the scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attendwise.web.models import Role
from attendwise.web.rules import scope_for

if TYPE_CHECKING:
    from attendwise.measures.pupils import Enrolment
    from attendwise.web.rules import User

__all__ = [
    "can_add_evidence",
    "can_decide",
    "can_request_notice",
    "can_view_legal_counts",
    "can_view_request",
    "can_view_requests",
]

_READERS = {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL, Role.VIRTUAL_SCHOOL}
_REQUESTERS = {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL}
_DECIDERS = {Role.LA_ADMIN, Role.OFFICER}


def can_view_requests(user: User) -> bool:
    """Requests as a kind of page (they name pupils and parents)."""
    return scope_for(user).role in _READERS


def can_view_request(user: User, enrolment: Enrolment) -> bool:
    return can_view_requests(user) and scope_for(user).allows_enrolment(enrolment)


def can_request_notice(user: User, enrolment: Enrolment | None = None) -> bool:
    """A school (or LA staff with the school) requests a notice for a pupil; ``None``: as a kind of action."""
    scope = scope_for(user)
    return scope.role in _REQUESTERS and (enrolment is None or scope.allows_enrolment(enrolment))


def can_add_evidence(user: User, enrolment: Enrolment | None = None) -> bool:
    """Record support, the letter sent or the social worker's agreement on a request: the school and LA staff."""
    return can_request_notice(user, enrolment)


def can_decide(user: User, enrolment: Enrolment | None = None) -> bool:
    """Check a request and issue its notices: LA staff with the school (``None``: as a kind of action)."""
    scope = scope_for(user)
    return scope.role in _DECIDERS and (enrolment is None or scope.allows_enrolment(enrolment))


def can_view_legal_counts(user: User) -> bool:
    """Counts of requests and notices: LA staff and scrutiny members (suppressed)."""
    return scope_for(user).role in {Role.LA_ADMIN, Role.OFFICER, Role.SCRUTINY}
