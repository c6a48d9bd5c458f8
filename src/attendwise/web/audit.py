"""The audit log: every view or export of a pupil's record, and every refused attempt.

Views call :func:`record` once per response that shows or refuses pupil data.  The log row holds
the UPN (so an administrator can ask "who has looked at this child?"); nothing else in the
service writes a UPN or a name anywhere (see :mod:`attendwise.web.logs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attendwise.web.models import Action, AuditEvent, Outcome
from attendwise.web.rules import scope_for

if TYPE_CHECKING:
    from django.http import HttpRequest

    from attendwise.measures.pupils import Enrolment

__all__ = ["record"]


def record(
    request: HttpRequest,
    action: Action,
    outcome: Outcome,
    *,
    enrolment: Enrolment | None = None,
    enrolment_id: int | None = None,
    school_urn: int | None = None,
    pupils: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Write one audit row for this request."""
    user = request.user
    scope = scope_for(user)
    return AuditEvent.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        role=scope.role.value if scope.role else "",
        action=action,
        outcome=outcome,
        enrolment_id=enrolment.enrolment_id if enrolment else enrolment_id,
        upn=enrolment.upn if enrolment else "",
        school_urn=enrolment.urn if enrolment else school_urn,
        pupils=pupils,
        detail=detail[:1000],
        path=request.path[:300],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )
