"""Template context every page gets: the service name, the LA's name and the navigation for the user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from attendwise.web import rules
from attendwise.web.casework import rules as case_rules
from attendwise.web.models import Role
from attendwise.web.registers import rules as register_rules

SERVICE_NAME = "Attendance support"


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)  # none on a request refused before sign-in is checked (a 400)
    if user is None or not user.is_authenticated:
        return []
    scope = rules.scope_for(user)
    items: list[tuple[str, str]] = []
    if rules.can_view_la_overview(user):
        items.append(("LA overview", reverse("la_overview")))
    if rules.can_view_schools(user):
        if scope.schools is not None and len(scope.schools) == 1:
            items.append(("Your school", reverse("school", args=[next(iter(scope.schools))])))
        else:
            items.append(("Schools", reverse("schools")))
    if rules.can_view_virtual_school(user) and scope.social_care_only:
        items.append(("Children", reverse("virtual_school")))
    if rules.can_view_tsm_term(user):
        items.append(("Meetings", reverse("tsm_term")))
    if case_rules.can_view_caseload(user):
        items.append(("Cases", reverse("caseload")))
    elif case_rules.can_view_case_counts(user):
        items.append(("Casework", reverse("case_counts")))
    if scope.role == Role.SCHOOL and scope.schools is not None and len(scope.schools) == 1:
        items.append(("Removals from roll", reverse("school_removals", args=[next(iter(scope.schools))])))
    elif register_rules.can_view_registers(user):
        items.append(("Registers", reverse("registers")))
    elif register_rules.can_view_register_counts(user):
        items.append(("Registers", reverse("register_counts")))
    if rules.can_view_cohorts(user):
        items.append(("Cohorts", reverse("cohorts")))
    if rules.can_upload(user):
        items.append(("Upload registers", reverse("uploads")))
    if rules.can_view_audit(user):
        items.append(("Audit log", reverse("audit")))
    return [{"label": label, "href": href, "active": request.path.startswith(href)} for label, href in items]


def service(request: HttpRequest) -> dict[str, Any]:
    from attendwise.reports.overview import la_name
    from attendwise.web.services.data import get_access
    from attendwise.web.services.source import CachedFigures

    name = settings.ATTENDWISE_LA_NAME
    if not name:
        try:
            access = get_access()
            name = la_name(CachedFigures(access)) if access.exists() else "Local authority"
        except Exception:  # the header must render even if the store cannot be read
            name = "Local authority"
    user = getattr(request, "user", None)
    role = rules.scope_for(user).role if user is not None else None
    return {
        "service_name": SERVICE_NAME,
        "la_name": name,
        "nav_items": navigation(request),
        "user_role": role.label if role else "",
        "pupil_search": user is not None and rules.can_see_pupils(user),
    }
